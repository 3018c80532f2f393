/**
 * The SQLite schema, one entry per version; migrations.ts applies them in order. Never edit a
 * released version's SQL: add a new version. Tables are STRICT so a wrong type is an error, not a
 * silently coerced value, and constraints repeat the rules the store checks in code, so a bug (or
 * another writer on the same file) cannot store what the application would refuse.
 */

const V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id         TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name       TEXT NOT NULL,
  email      TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE items (
  id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE projects (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  settings    TEXT NOT NULL CHECK (json_valid(settings) AND json_type(settings) = 'object'),
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  archived_at TEXT
) STRICT;

CREATE TABLE applications (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE app_versions (
  app_name    TEXT NOT NULL REFERENCES applications (name) ON DELETE CASCADE,
  version     TEXT NOT NULL CHECK (length(version) BETWEEN 5 AND 64),
  notes       TEXT NOT NULL DEFAULT '',
  released_at TEXT NOT NULL,
  PRIMARY KEY (app_name, version)
) STRICT;

CREATE TABLE deployments (
  id          TEXT PRIMARY KEY,
  app_name    TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('development', 'staging', 'production')),
  version     TEXT NOT NULL,
  status      TEXT NOT NULL
              CHECK (status IN ('queued', 'in_progress', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  reason      TEXT,
  created_at  TEXT NOT NULL,
  started_at  TEXT,
  finished_at TEXT,
  updated_at  TEXT NOT NULL,
  FOREIGN KEY (app_name, version) REFERENCES app_versions (app_name, version)
) STRICT;

-- One deployment per app+environment at a time, even under concurrent writers: the check in code
-- gives the friendly conflict, this index makes it true.
CREATE UNIQUE INDEX deployments_one_active
  ON deployments (app_name, environment)
  WHERE status IN ('queued', 'in_progress');

CREATE INDEX deployments_by_created ON deployments (created_at DESC, id DESC);

-- The state machine of DEPLOYMENT_TRANSITIONS (store.ts), enforced for every writer.
CREATE TRIGGER deployments_legal_transition
  BEFORE UPDATE OF status ON deployments
  WHEN NOT (
       (OLD.status = 'queued' AND NEW.status IN ('in_progress', 'cancelled', 'interrupted'))
    OR (OLD.status = 'in_progress' AND NEW.status IN ('succeeded', 'failed', 'cancelled', 'interrupted'))
  )
BEGIN
  SELECT RAISE(ABORT, 'illegal deployment status transition');
END;

-- One row per importRecords call, written in the same transaction as its records.
CREATE TABLE import_batches (
  id           TEXT PRIMARY KEY,
  imported_at  TEXT NOT NULL,
  users        INTEGER NOT NULL,
  items        INTEGER NOT NULL,
  projects     INTEGER NOT NULL,
  applications INTEGER NOT NULL,
  versions     INTEGER NOT NULL
) STRICT;
`;

// Which engine runs a deployment and until when its claim holds (see deployment-claims.ts): a
// replica that dies stops renewing, and another picks the deployment up once the lease passes.
const V2 = `
ALTER TABLE deployments ADD COLUMN claimed_by TEXT;
ALTER TABLE deployments ADD COLUMN lease_until TEXT;
`;

/** One schema version: `sql` takes the database from `version - 1` to `version`. */
export interface SchemaVersion {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every schema version, oldest first; the last one is what this build expects. */
export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  { version: 1, description: "users, items, projects, applications, deployments, imports", sql: V1 },
  { version: 2, description: "deployment claims: which replica runs a deployment, until when", sql: V2 },
];
