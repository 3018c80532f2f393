/** The scope every OAuth access token needs to use this server at all. */
export const BASE_SCOPE = "mcp";

/**
 * The permissions the product's tools check (each is also an OAuth scope of the same name). Listed
 * in the protected-resource metadata as `scopes_supported`; test/unit/auth-permissions.test.ts
 * keeps the list in step with what the tools ask for.
 */
export const PRODUCT_PERMISSIONS = [
  "project.create",
  "project.update",
  "project.archive",
  "project.delete",
  "deploy.development",
  "deploy.staging",
  "deploy.production",
  "deploy.cancel",
  "records.import",
] as const;
