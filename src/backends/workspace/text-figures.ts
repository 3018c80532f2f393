/** What the bytes of a file hold, as far as counting goes. */
export type TextDecoding =
  { readonly encoding: "utf-8"; readonly text: string } | { readonly encoding: "binary" };

// Text files practically never contain NUL; binary formats almost always do early on.
const SNIFF_BYTES = 8192;

/** Decodes UTF-8 strictly (a leading BOM is dropped); anything else is reported as binary. */
export function decodeText(content: Buffer): TextDecoding {
  if (content.subarray(0, SNIFF_BYTES).includes(0)) return { encoding: "binary" };
  try {
    return { encoding: "utf-8", text: new TextDecoder("utf-8", { fatal: true }).decode(content) };
  } catch {
    return { encoding: "binary" };
  }
}

/** Lines as editors count them: a final line without a newline still counts; "" has none. */
export function countLines(text: string): number {
  if (text === "") return 0;
  let lines = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) lines++;
  return text.endsWith("\n") ? lines : lines + 1;
}

/** Runs of non-whitespace, as `wc -w` counts them. */
export function countWords(text: string): number {
  return text.split(/\s+/u).filter((word) => word !== "").length;
}

/** Unicode code points, not UTF-16 units: "é" and "😀" are one character each. */
export function countCharacters(text: string): number {
  let characters = 0;
  for (const _character of text) characters++;
  return characters;
}
