import type { AnyToolDefinition, Principal } from "./tool-definition.js";

/** What a write acted on, for its audit line: a target and, where they apply, its particulars. */
type TargetOf = (args: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** Longest argument text an audit line copies; the rest of a long value is cut. */
const MAX_FIELD = 128;

/** The product's write tools and what each one acts on. */
const WRITE_TARGETS: Readonly<Record<string, TargetOf>> = {
  deploy_application: (args) => ({
    target: `application/${text(args.app_name)}`,
    environment: text(args.environment),
    ...(args.version === undefined ? {} : { version: text(args.version) }),
  }),
  cancel_deployment: (args) => ({ target: `deployment/${text(args.deployment_id)}` }),
  manage_project: (args) => ({ target: `project/${text(args.project_name)}`, action: text(args.action) }),
  import_records: (args) => ({
    target: "records",
    counts: Object.fromEntries(
      ["users", "items", "projects", "applications"].map((kind) => {
        const list = args[kind];
        return [kind, Array.isArray(list) ? list.length : 0];
      }),
    ),
  }),
};

/**
 * A tool whose calls get an audit line: a known write, or any tool not declared read-only (MCP's
 * default for readOnlyHint is false, so a developer's tool that says nothing is audited too).
 */
export function isAuditedWrite(tool: AnyToolDefinition): boolean {
  return tool.name in WRITE_TARGETS || tool.annotations.readOnlyHint !== true;
}

/**
 * The audit fields of a write tool's call, which go on the call's one log line beside principal,
 * tool, outcome and reference_id: how the caller authenticated and with which key or client
 * (never the credential), and what the call acted on. `grep '"audit":"write"'` lists every change
 * attempted through the server; undefined for a read-only tool.
 */
export function auditFields(
  tool: AnyToolDefinition,
  principal: Principal,
  args: unknown,
): Record<string, unknown> | undefined {
  if (!isAuditedWrite(tool)) return undefined;
  const given = typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {};
  return {
    audit: "write",
    auth: principal.authenticatedBy,
    credential_id: principal.credentialId,
    ...(WRITE_TARGETS[tool.name]?.(given) ?? { target: tool.name }),
  };
}

function text(value: unknown): string {
  const raw = typeof value === "string" ? value : typeof value === "number" ? String(value) : "?";
  return raw.length > MAX_FIELD ? `${raw.slice(0, MAX_FIELD)}…` : raw;
}
