import { validationError } from "../../errors/validation-error.js";
import { isSemver } from "./semver.js";
import { USER_ROLES, type ImportBatch, type JsonObject } from "./store.js";

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws validation_error unless `settings` is a JSON object; `field` names it in the error. */
export function assertSettings(settings: unknown, field: string): void {
  if (!isJsonObject(settings)) {
    throw validationError({
      field,
      received: settings,
      expected: 'a JSON object, e.g. {"visibility": "private"}',
    });
  }
}

/**
 * Checks what the schema cannot say well (semver, roles, prices) before anything is written, and
 * names the offending field by its path in the batch.
 */
export function validateBatch(batch: ImportBatch): void {
  (batch.users ?? []).forEach((user, index) => {
    if (!(USER_ROLES as readonly string[]).includes(user.role)) {
      throw validationError({
        field: `users[${index}].role`,
        received: user.role,
        expected: `one of: ${USER_ROLES.join(", ")}`,
        examples: [...USER_ROLES],
      });
    }
  });
  (batch.items ?? []).forEach((item, index) => {
    if (!Number.isSafeInteger(item.priceCents) || item.priceCents < 0) {
      throw validationError({
        field: `items[${index}].priceCents`,
        received: item.priceCents,
        expected: "a whole number of cents, 0 or more",
      });
    }
  });
  (batch.projects ?? []).forEach((project, index) => {
    if (project.settings !== undefined) assertSettings(project.settings, `projects[${index}].settings`);
  });
  (batch.applications ?? []).forEach((app, appIndex) => {
    (app.versions ?? []).forEach((version, versionIndex) => {
      if (!isSemver(version.version)) {
        throw validationError({
          field: `applications[${appIndex}].versions[${versionIndex}].version`,
          received: version.version,
          expected: "a semantic version such as 1.2.0 or 2.0.0-rc.1",
          examples: ["1.0.0", "1.2.3", "2.0.0-rc.1"],
        });
      }
    });
  });
}
