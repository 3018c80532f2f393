import type pg from "pg";
import {
  chooseVersion,
  refuseCancel,
  refuseEnvironment,
  refuseStart,
  type Environment,
} from "../../domain/deployments.js";
import { RefusalError, enforce } from "../../domain/refusal.js";
import { applicationOrThrow, versionsOf } from "./pg-applications.js";
import {
  DEPLOYMENT_COLUMNS,
  activeDeploymentFor,
  deploymentById,
  listDeployments,
  transitionDeployment,
} from "./pg-deployments.js";
import { inTransaction, pgCode } from "./pg-transaction.js";
import type { Deployment } from "./store.js";

/** What queueDeployment writes. */
export interface DeploymentRequest {
  readonly app: string;
  readonly environment: Environment;
  readonly version: string | undefined;
  readonly id: string;
  readonly now: string;
}

/**
 * Queues a deployment in one transaction, refusing what the rules of src/domain refuse. Two
 * replicas starting the same app+environment at once both pass the check; the partial unique
 * index lets one insert win, and the other gets the same deployment_in_progress refusal.
 */
export async function queueDeployment(pool: pg.Pool, request: DeploymentRequest): Promise<Deployment> {
  const { app, environment } = request;
  enforce(refuseEnvironment(environment));
  try {
    return await inTransaction(pool, async (client) => {
      await applicationOrThrow(client, app);
      const available = (await versionsOf(client, app)).map((row) => row.version);
      const choice = chooseVersion(app, available, request.version);
      if ("refusal" in choice) throw new RefusalError(choice.refusal);
      enforce(refuseStart(await activeDeploymentFor(client, app, environment)));
      await client.query(
        `INSERT INTO deployments (${DEPLOYMENT_COLUMNS})
         VALUES ($1, $2, $3, $4, 'queued', NULL, $5, NULL, NULL, $5)`,
        [request.id, app, environment, choice.version, request.now],
      );
      const queued = await deploymentById(client, request.id);
      if (queued === undefined)
        throw new Error(`Deployment ${request.id} vanished inside its own transaction`);
      return queued;
    });
  } catch (error) {
    if (pgCode(error) !== "23505") throw error;
    const refusal = refuseStart(await activeDeploymentFor(pool, app, environment));
    if (refusal !== undefined) throw new RefusalError(refusal, { cause: error });
    throw error;
  }
}

/** Cancels a queued or in_progress deployment on its locked row; refuses unknown or finished ones. */
export function cancelDeployment(
  pool: pg.Pool,
  request: { readonly id: string; readonly now: string; readonly listLimit: number },
): Promise<Deployment> {
  const { id } = request;
  return inTransaction(pool, async (client) => {
    const current = await deploymentById(client, id, true);
    if (current === undefined) {
      const recent = await listDeployments(client, {}, request.listLimit);
      throw new RefusalError({
        kind: "unknown_record",
        collection: "deployments",
        id,
        known: recent.map((deployment) => deployment.id),
      });
    }
    enforce(refuseCancel(current));
    const change = {
      id,
      from: current.status,
      to: "cancelled" as const,
      reason: "Cancelled on request",
      now: request.now,
    };
    const changed = await transitionDeployment(client, change);
    if (changed === undefined) throw new Error(`Deployment ${id} changed while its row was locked`);
    return changed;
  });
}
