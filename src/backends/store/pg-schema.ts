import type { SchemaVersion } from "./schema.js";

/**
 * The PostgreSQL dialect of schema.ts: the same versions, tables, columns and constraints, so both
 * stores hold the same data and refuse the same writes. Timestamps stay ISO-8601 TEXT as in SQLite:
 * the row mapping is shared, the application's clock is the one clock (tests inject it), and the
 * strings sort in time order. Settings are JSONB. Never edit a released version: add one, in both.
 */

const V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id         TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name       TEXT NOT NULL,
  email      TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
  created_at TEXT NOT NULL
);

CREATE TABLE items (
  id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  created_at  TEXT NOT NULL
);

CREATE TABLE projects (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  settings    JSONB NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  archived_at TEXT
);

CREATE TABLE applications (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);

CREATE TABLE app_versions (
  app_name    TEXT NOT NULL REFERENCES applications (name) ON DELETE CASCADE,
  version     TEXT NOT NULL CHECK (length(version) BETWEEN 5 AND 64),
  notes       TEXT NOT NULL DEFAULT '',
  released_at TEXT NOT NULL,
  PRIMARY KEY (app_name, version)
);

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
);

CREATE UNIQUE INDEX deployments_one_active
  ON deployments (app_name, environment)
  WHERE status IN ('queued', 'in_progress');

CREATE INDEX deployments_by_created ON deployments (created_at DESC, id DESC);

CREATE FUNCTION deployments_legal_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ((OLD.status = 'queued' AND NEW.status IN ('in_progress', 'cancelled', 'interrupted'))
       OR (OLD.status = 'in_progress' AND NEW.status IN ('succeeded', 'failed', 'cancelled', 'interrupted'))) THEN
    RAISE EXCEPTION 'illegal deployment status transition';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER deployments_legal_transition
  BEFORE UPDATE OF status ON deployments
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION deployments_legal_transition();

CREATE TABLE import_batches (
  id           TEXT PRIMARY KEY,
  imported_at  TEXT NOT NULL,
  users        INTEGER NOT NULL,
  items        INTEGER NOT NULL,
  projects     INTEGER NOT NULL,
  applications INTEGER NOT NULL,
  versions     INTEGER NOT NULL
);
`;

const V2 = `
ALTER TABLE deployments ADD COLUMN claimed_by TEXT;
ALTER TABLE deployments ADD COLUMN lease_until TEXT;
`;

/** Every PostgreSQL schema version, oldest first; numbers and descriptions match SCHEMA_VERSIONS. */
export const PG_SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  { version: 1, description: "users, items, projects, applications, deployments, imports", sql: V1 },
  { version: 2, description: "deployment claims: which replica runs a deployment, until when", sql: V2 },
];
