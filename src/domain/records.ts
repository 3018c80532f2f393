import type { DomainRefusal } from "./refusal.js";
import { isSemver } from "./semver.js";

/** Roles a user can have. */
export const USER_ROLES = ["admin", "developer", "viewer"] as const;

/** A user role. */
export type UserRole = (typeof USER_ROLES)[number];

/** A JSON value as stored in project settings. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the shape of project settings. */
export type JsonObject = { [key: string]: JsonValue };

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Settings must be a JSON object; `field` is their path in the request. */
export function refuseSettings(settings: unknown, field: string): DomainRefusal | undefined {
  if (isJsonObject(settings)) return undefined;
  return {
    kind: "invalid_value",
    field,
    received: settings,
    expected: 'a JSON object, e.g. {"visibility": "private"}',
  };
}

/** What the batch rules read of an import batch (any store's batch type fits). */
export interface BatchShape {
  readonly users?: readonly { readonly role: string }[];
  readonly items?: readonly { readonly priceCents: number }[];
  readonly projects?: readonly { readonly settings?: unknown }[];
  readonly applications?: readonly { readonly versions?: readonly { readonly version: string }[] }[];
}

/**
 * The first value of a batch the rules refuse, checked before anything is written, named by its
 * path in the batch: what a schema cannot say well (semver, roles, whole cents).
 */
export function refuseBatch(batch: BatchShape): DomainRefusal | undefined {
  for (const [index, user] of (batch.users ?? []).entries()) {
    if (!(USER_ROLES as readonly string[]).includes(user.role)) {
      return {
        kind: "invalid_value",
        field: `users[${index}].role`,
        received: user.role,
        expected: `one of: ${USER_ROLES.join(", ")}`,
        examples: [...USER_ROLES],
      };
    }
  }
  for (const [index, item] of (batch.items ?? []).entries()) {
    if (!Number.isSafeInteger(item.priceCents) || item.priceCents < 0) {
      return {
        kind: "invalid_value",
        field: `items[${index}].priceCents`,
        received: item.priceCents,
        expected: "a whole number of cents, 0 or more",
      };
    }
  }
  for (const [index, project] of (batch.projects ?? []).entries()) {
    const refused =
      project.settings === undefined
        ? undefined
        : refuseSettings(project.settings, `projects[${index}].settings`);
    if (refused !== undefined) return refused;
  }
  return refuseVersions(batch.applications ?? []);
}

function refuseVersions(applications: NonNullable<BatchShape["applications"]>): DomainRefusal | undefined {
  for (const [appIndex, app] of applications.entries()) {
    for (const [versionIndex, version] of (app.versions ?? []).entries()) {
      if (!isSemver(version.version)) {
        return {
          kind: "invalid_value",
          field: `applications[${appIndex}].versions[${versionIndex}].version`,
          received: version.version,
          expected: "a semantic version such as 1.2.0 or 2.0.0-rc.1",
          examples: ["1.0.0", "1.2.3", "2.0.0-rc.1"],
        };
      }
    }
  }
  return undefined;
}
