/**
 * Keys that appear twice in one JSON object, at any depth, as "path.key". JSON.parse keeps the
 * last of them silently, and so do log pipelines: a duplicated key is a field a filter cannot
 * trust. A small scanner over the text, since no parser reports them.
 */
export function duplicateKeys(json: string): string[] {
  const duplicates: string[] = [];
  // One frame per open object or array: the keys seen so far (objects only) and its path.
  const stack: { keys: Set<string> | undefined; path: string; expectKey: boolean }[] = [];
  let lastKey = "";
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    const top = stack.at(-1);
    if (char === '"') {
      const end = stringEnd(json, i);
      const text = JSON.parse(json.slice(i, end + 1)) as string;
      if (top?.keys !== undefined && top.expectKey) {
        if (top.keys.has(text)) duplicates.push(top.path === "" ? text : `${top.path}.${text}`);
        top.keys.add(text);
        top.expectKey = false;
        lastKey = text;
      }
      i = end;
    } else if (char === "{" || char === "[") {
      const parentPath =
        top === undefined ? "" : top.keys === undefined ? `${top.path}[]` : joinPath(top.path, lastKey);
      stack.push({ keys: char === "{" ? new Set() : undefined, path: parentPath, expectKey: char === "{" });
    } else if (char === "}" || char === "]") {
      stack.pop();
    } else if (char === "," && top?.keys !== undefined) {
      top.expectKey = true;
    }
  }
  return duplicates;
}

function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  throw new Error(`unterminated string at ${start}`);
}
