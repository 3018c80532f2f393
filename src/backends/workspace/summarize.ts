import type { FileType } from "./file-types.js";
import { headingText, isFence } from "./markdown-lines.js";
import { countLines, countWords, type TextDecoding } from "./text-figures.js";

const HEADINGS_SHOWN = 8;
const KEYS_SHOWN = 12;
const SNIPPET_CHARACTERS = 100;

/**
 * A one-paragraph description of a file built from its structure, not generated prose: headings
 * of Markdown, columns and row count of CSV/TSV, top-level keys of JSON, the first line of other
 * text. Deterministic, cheap, and never more than the file says.
 */
export function describeContent(type: FileType, decoding: TextDecoding, bytes: number): string {
  if (decoding.encoding === "binary") {
    return `Binary ${type === "unknown" ? "" : `${type} `}file of ${bytes} bytes; it has no text to summarize.`;
  }
  const { text } = decoding;
  if (text.trim() === "") return `Empty ${type === "unknown" ? "text" : type} file.`;
  switch (type) {
    case "markdown":
      return describeMarkdown(text);
    case "csv":
      return describeTable(text, ",", "CSV");
    case "tsv":
      return describeTable(text, "\t", "TSV");
    case "json":
      return describeJson(text);
    default:
      return `${label(type)} file, ${count(countLines(text), "line")}, ${count(countWords(text), "word")}; first line: ${snippet(firstLine(text))}.`;
  }
}

function describeMarkdown(text: string): string {
  const headings: string[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    // Lines inside ``` fences are code, even when they start with "#".
    if (isFence(line)) fenced = !fenced;
    const heading = fenced ? undefined : headingText(line);
    if (heading !== undefined) headings.push(heading);
  }
  const lines = countLines(text);
  if (headings.length === 0) {
    return `Markdown document of ${count(lines, "line")} without headings; it starts: ${snippet(firstLine(text))}.`;
  }
  const shown = headings.slice(0, HEADINGS_SHOWN).join("; ");
  const more = headings.length > HEADINGS_SHOWN ? `; and ${headings.length - HEADINGS_SHOWN} more` : "";
  return `Markdown document of ${count(lines, "line")} with ${count(headings.length, "heading")}: ${shown}${more}.`;
}

function describeTable(text: string, delimiter: string, label: string): string {
  const { header, records } = readDelimited(text, delimiter);
  const rows = Math.max(0, records - 1);
  const columns = header.slice(0, KEYS_SHOWN).join(", ");
  const more = header.length > KEYS_SHOWN ? `, and ${header.length - KEYS_SHOWN} more` : "";
  return `${label} table with ${header.length} column${plural(header.length)} (${columns}${more}) and ${rows} data row${plural(rows)}.`;
}

/**
 * The first record's fields and the number of non-blank records, honouring quotes (a quoted
 * field may hold the delimiter, doubled quotes and newlines), so a row count is a row count.
 */
function readDelimited(text: string, delimiter: string): { header: string[]; records: number } {
  let header: string[] | undefined;
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let records = 0;
  const endRecord = (): void => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === "";
    if (!blank) {
      records++;
      header ??= fields.map((name) => name.trim());
    }
    fields = [];
    field = "";
  };
  for (let index = 0; index < text.length; index++) {
    const character = text.charAt(index);
    if (quoted) {
      if (character !== '"') field += character;
      else if (text.charAt(index + 1) === '"') {
        field += '"';
        index++;
      } else quoted = false;
    } else if (character === '"') quoted = true;
    else if (character === delimiter) {
      fields.push(field);
      field = "";
    } else if (character === "\n") endRecord();
    else if (character !== "\r") field += character;
  }
  if (field !== "" || fields.length > 0) endRecord();
  return { header: header ?? [], records };
}

function describeJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "it does not parse";
    return `Not valid JSON: ${snippet(reason)}.`;
  }
  if (Array.isArray(value)) {
    const [first] = value as unknown[];
    const keys = isObject(first) ? `; the first item has keys: ${listKeys(first)}` : "";
    return `JSON array of ${value.length} item${plural(value.length)}${keys}.`;
  }
  if (isObject(value)) {
    const count = Object.keys(value).length;
    return `JSON object with ${count} key${plural(count)}${count > 0 ? `: ${listKeys(value)}` : ""}.`;
  }
  return `JSON ${value === null ? "null" : typeof value} value.`;
}

function label(type: FileType): string {
  return type === "unknown" ? "Text" : type.charAt(0).toUpperCase() + type.slice(1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function listKeys(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  const more = keys.length > KEYS_SHOWN ? `, and ${keys.length - KEYS_SHOWN} more` : "";
  return `${keys.slice(0, KEYS_SHOWN).join(", ")}${more}`;
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? ""
  );
}

function snippet(text: string): string {
  return JSON.stringify(text.length > SNIPPET_CHARACTERS ? `${text.slice(0, SNIPPET_CHARACTERS)}…` : text);
}

function plural(amount: number): string {
  return amount === 1 ? "" : "s";
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${plural(amount)}`;
}
