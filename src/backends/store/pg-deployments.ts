import type pg from "pg";
import {
  DEPLOYMENT_TRANSITIONS,
  isTerminalDeploymentStatus,
  type DeploymentStatus,
} from "../../domain/deployments.js";
import type { DeploymentRow } from "./sqlite-statements.js";
import { toDeployment } from "./sqlite-rows.js";
import type { ClaimedDeployment, Deployment, DeploymentFilter } from "./store.js";

/** The deployment columns the shared row mapping reads. */
export const DEPLOYMENT_COLUMNS =
  "id, app_name, environment, version, status, reason, created_at, started_at, finished_at, updated_at";

/** Something that runs a query: the pool, or the client of an open transaction. */
export type Queryable = Pick<pg.ClientBase, "query">;

/** One deployment by id, optionally locking its row for the rest of the transaction. */
export async function deploymentById(
  db: Queryable,
  id: string,
  lock = false,
): Promise<Deployment | undefined> {
  const result = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
    [id],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toDeployment(row);
}

/** The queued or in_progress deployment of an app+environment. */
export async function activeDeploymentFor(
  db: Queryable,
  app: string,
  environment: string,
): Promise<Deployment | undefined> {
  const result = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
     WHERE app_name = $1 AND environment = $2 AND status IN ('queued', 'in_progress')`,
    [app, environment],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toDeployment(row);
}

/** Deployments still queued or in_progress, oldest first. */
export async function activeDeployments(db: Queryable): Promise<Deployment[]> {
  const result = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
     WHERE status IN ('queued', 'in_progress') ORDER BY created_at, id`,
  );
  return result.rows.map(toDeployment);
}

/** Deployments newest first, filtered, at most `limit`. */
export async function listDeployments(
  db: Queryable,
  filter: DeploymentFilter,
  limit: number,
): Promise<Deployment[]> {
  const result = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
     WHERE ($1::text IS NULL OR app_name = $1)
       AND ($2::text IS NULL OR environment = $2)
       AND ($3::text IS NULL OR status = $3)
       AND ($4::text IS NULL OR (created_at, id) < ($4, $5::text))
     ORDER BY created_at DESC, id DESC
     LIMIT $6`,
    [
      filter.app ?? null,
      filter.environment ?? null,
      filter.status ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.id ?? null,
      limit,
    ],
  );
  return result.rows.map(toDeployment);
}

/**
 * Compare-and-set: moves the deployment only if it is still in `from` (and, given `owner`, only
 * while that engine holds its claim). Under READ COMMITTED a concurrent writer of the same row
 * waits for the first to commit and then re-checks the condition, so two racing steps never both
 * win. Resolves to the changed deployment, or undefined when nothing matched.
 */
export async function transitionDeployment(
  db: Queryable,
  change: {
    id: string;
    from: DeploymentStatus;
    to: DeploymentStatus;
    reason: string | null;
    now: string;
    owner?: string;
  },
): Promise<Deployment | undefined> {
  const { id, from, to, now } = change;
  if (!DEPLOYMENT_TRANSITIONS[from].includes(to)) {
    throw new Error(`Illegal deployment transition ${from} -> ${to} for ${id}`);
  }
  const result = await db.query<DeploymentRow>(
    `UPDATE deployments
     SET status = $3, reason = $4, started_at = coalesce(started_at, $5), finished_at = $6, updated_at = $7
     WHERE id = $1 AND status = $2 AND ($8::text IS NULL OR claimed_by = $8)
     RETURNING ${DEPLOYMENT_COLUMNS}`,
    [
      id,
      from,
      to,
      change.reason,
      to === "in_progress" ? now : null,
      isTerminalDeploymentStatus(to) ? now : null,
      now,
      change.owner ?? null,
    ],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toDeployment(row);
}

/**
 * Claims active deployments for `owner` (see DeploymentClaimStore): one UPDATE over the rows a
 * SELECT … FOR UPDATE SKIP LOCKED picked, so two replicas claiming at once split the rows between
 * them instead of queueing on each other, and a row is held by one replica at a time.
 */
export async function claimDeployments(
  db: Queryable,
  claim: { owner: string; now: string; leaseUntil: string; ids: readonly string[] | null },
): Promise<ClaimedDeployment[]> {
  const result = await db.query<DeploymentRow & { previous_owner: string | null }>(
    `WITH candidates AS (
       SELECT id, claimed_by FROM deployments
       WHERE status IN ('queued', 'in_progress')
         AND ($4::text[] IS NULL OR id = ANY ($4))
         AND (claimed_by IS NULL OR claimed_by = $1 OR lease_until < $2)
       ORDER BY created_at, id
       FOR UPDATE SKIP LOCKED
     )
     UPDATE deployments AS d SET claimed_by = $1, lease_until = $3
     FROM candidates AS c WHERE d.id = c.id
     RETURNING ${DEPLOYMENT_COLUMNS.split(", ")
       .map((column) => `d.${column}`)
       .join(", ")}, c.claimed_by AS previous_owner`,
    [claim.owner, claim.now, claim.leaseUntil, claim.ids],
  );
  return result.rows
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
    .map((row) => ({
      deployment: toDeployment(row),
      takenOverFrom:
        row.previous_owner !== null && row.previous_owner !== claim.owner ? row.previous_owner : null,
    }));
}
