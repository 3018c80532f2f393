import type { RecordCollection, DomainRefusal } from "../domain/refusal.js";
import { isRetryableRefusal } from "../domain/refusal.js";
import { nearestVersions } from "../domain/version-proximity.js";
import { alreadyExists, conflict } from "./conflict-error.js";
import { notFound } from "./not-found.js";
import type { ToolError } from "./tool-error.js";
import { validationError } from "./validation-error.js";

/** The word a model reads for a record of each collection. */
const RESOURCE_TYPE: Readonly<Record<RecordCollection, string>> = {
  users: "user",
  items: "item",
  projects: "project",
  applications: "application",
  versions: "version",
  deployments: "deployment",
};

/**
 * The shared wording of a domain refusal: its catalog type, message and suggestion, with the
 * retryability the domain decided. Tools add what only they know (recovery steps naming their
 * own arguments); a refusal no tool phrased still reaches the model in these words, because the
 * error service classifies a RefusalError with this function.
 */
export function phraseRefusal(refusal: DomainRefusal, cause?: unknown): ToolError {
  switch (refusal.kind) {
    case "unknown_record":
      return notFound({
        resource_type: RESOURCE_TYPE[refusal.collection],
        identifier: refusal.id,
        candidates: refusal.known,
        cause,
      });
    case "unknown_version": {
      const similar = nearestVersions(refusal.version, refusal.available);
      return notFound({
        resource_type: "version",
        identifier: refusal.version,
        similar,
        ...(similar.length === 0
          ? { suggestion: `Application '${refusal.app}' has no version like ${refusal.version}.` }
          : {}),
        cause,
      });
    }
    case "no_versions":
      return notFound({
        resource_type: "version",
        identifier: `${refusal.app}@latest`,
        suggestion: `Application '${refusal.app}' has no versions to deploy yet.`,
        cause,
      });
    case "duplicate_record":
      return alreadyExists({
        resource_type: RESOURCE_TYPE[refusal.collection],
        identifier: refusal.value,
        ...(refusal.index === undefined
          ? {}
          : { failed_record: { collection: refusal.collection, index: refusal.index, id: refusal.id } }),
        cause,
      });
    case "invalid_value":
      return validationError({
        field: refusal.field,
        received: refusal.received,
        expected: refusal.expected,
        ...(refusal.examples === undefined ? {} : { examples: refusal.examples }),
        cause,
      });
    default:
      return phraseStateRefusal(refusal, cause);
  }
}

/**
 * Refusals about the state of a record: conflicts, transient or not as the domain says (the
 * refusals above are of types that are never transient, which the domain agrees with; a unit
 * test holds every kind to it).
 */
function phraseStateRefusal(
  refusal: Extract<
    DomainRefusal,
    { kind: "project_archived" | "deployment_finished" | "deployment_in_progress" }
  >,
  cause: unknown,
): ToolError {
  const retryable = isRetryableRefusal(refusal);
  switch (refusal.kind) {
    case "project_archived":
      return conflict({
        message: `Project '${refusal.project}' is archived; archived projects are read-only.`,
        resource_type: "project",
        identifier: refusal.project,
        retryable,
        suggestion: "Archived projects cannot be changed, now or later. Create a new project instead.",
        cause,
      });
    case "deployment_finished": {
      const { id, status } = refusal.deployment;
      return conflict({
        message: `Deployment ${id} has already finished (${status}); only queued or in_progress deployments can be cancelled.`,
        resource_type: "deployment",
        identifier: id,
        retryable,
        suggestion: "Nothing to cancel, and retrying will not help. Check the deployment's status instead.",
        cause,
      });
    }
    case "deployment_in_progress": {
      const { id, app, environment, version, status } = refusal.active;
      return conflict({
        message:
          `Application '${app}' already has deployment ${id} (version ${version}, ${status}) in ` +
          `${environment}; only one deployment per application and environment runs at a time.`,
        resource_type: "deployment",
        identifier: id,
        retryable,
        suggestion: `Wait for deployment ${id} to finish or cancel it, then start the deployment again.`,
        cause,
      });
    }
  }
}
