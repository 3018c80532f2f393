import { isJsonObject, type JsonObject, type JsonValue } from "./records.js";

/**
 * RFC 7396 JSON Merge Patch of an object: keys of `patch` replace, null deletes, nested objects
 * merge. The same result as SQLite's json_patch, for stores whose database has no such function.
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const deleted = new Set(Object.keys(patch).filter((key) => patch[key] === null));
  const result: JsonObject = Object.fromEntries(Object.entries(target).filter(([key]) => !deleted.has(key)));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      continue;
    } else if (isJsonObject(value)) {
      const current: JsonValue | undefined = result[key];
      result[key] = mergePatch(isJsonObject(current) ? current : {}, value);
    } else {
      result[key] = value;
    }
  }
  return result;
}
