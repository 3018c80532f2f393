/*
 * Markdown line shapes read by index scans instead of regular expressions: a heading pattern such
 * as /^#{1,6}\s+(.+?)\s*#*\s*$/ backtracks cubically on "# a" followed by thousands of spaces, and
 * synchronous work on file contents cannot be interrupted by a tool timeout. Every function here
 * looks at each character a bounded number of times.
 */

const MAX_HEADING_LEVEL = 6;

/** Whitespace as \s sees it on one line (no newline can occur inside a line). */
function isSpace(character: string): boolean {
  return character.trim() === "";
}

/** Whether the line opens or closes a fenced code block: optional indentation, then ``` or ~~~. */
export function isFence(line: string): boolean {
  let index = 0;
  while (index < line.length && isSpace(line.charAt(index))) index++;
  return line.startsWith("```", index) || line.startsWith("~~~", index);
}

/**
 * An ATX heading's text: one to six "#", at least one space, the text, then an optional closing
 * run of "#" and trailing spaces, which are not part of it. Undefined for any other line.
 */
export function headingText(line: string): string | undefined {
  let level = 0;
  while (level < line.length && line.charAt(level) === "#") level++;
  if (level === 0 || level > MAX_HEADING_LEVEL) return undefined;
  let start = level;
  while (start < line.length && isSpace(line.charAt(start))) start++;
  if (start === level || start === line.length) return undefined;
  let end = trimSpaceEnd(line, line.length);
  // The closing run of "#" is decoration, as is the space before it.
  let hashes = end;
  while (hashes > start && line.charAt(hashes - 1) === "#") hashes--;
  if (hashes < end) end = trimSpaceEnd(line, hashes);
  // A heading made only of "#" after the opening ("# ###") keeps its first character.
  if (end <= start) end = start + 1;
  return line.slice(start, end);
}

function trimSpaceEnd(line: string, end: number): number {
  let index = end;
  while (index > 0 && isSpace(line.charAt(index - 1))) index--;
  return index;
}
