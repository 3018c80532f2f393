import type { ImportBatch } from "./store.js";

/**
 * What a new data file starts with: users "1" Alice and "2" Bob, a few items,
 * projects and applications. The data is chosen so error paths show something useful: item ids
 * and names are close enough for "did you mean"; api-gateway has 1.9.0 and 1.10.0, where text
 * order would pick the wrong latest; billing-service 1.2.0-bad fails under the default failure
 * rule of the DeploymentEngine, so a failed deployment can be demonstrated honestly.
 */
export const DEFAULT_SEED: ImportBatch = {
  users: [
    { id: "1", name: "Alice", email: "alice@example.com", role: "admin" },
    { id: "2", name: "Bob", email: "bob@example.com", role: "developer" },
  ],
  items: [
    { id: "item-001", name: "Wireless Mouse", description: "2.4 GHz, 3 buttons", priceCents: 2499 },
    {
      id: "item-002",
      name: "Mechanical Keyboard",
      description: "Tenkeyless, brown switches",
      priceCents: 8999,
    },
    { id: "item-003", name: "USB-C Hub", description: "7 ports, 100 W pass-through", priceCents: 3999 },
    { id: "item-004", name: "27-inch Monitor", description: "2560x1440, IPS", priceCents: 27999 },
    { id: "item-005", name: "Laptop Stand", description: "Aluminium, adjustable", priceCents: 3499 },
  ],
  projects: [
    { name: "website-redesign", settings: { visibility: "public", owner: "1", tags: ["web", "design"] } },
    { name: "mobile-app", settings: { visibility: "private", owner: "2", platforms: ["ios", "android"] } },
    { name: "data-pipeline", settings: { visibility: "private", owner: "1", schedule: "hourly" } },
  ],
  applications: [
    {
      name: "web-frontend",
      description: "The customer-facing single-page application",
      versions: [
        { version: "1.0.0", notes: "First release" },
        { version: "1.1.0", notes: "Dark mode" },
        { version: "2.0.0", notes: "New navigation" },
      ],
    },
    {
      name: "api-gateway",
      description: "Routes and authenticates API traffic",
      versions: [
        { version: "1.2.0", notes: "Rate limiting" },
        { version: "1.9.0", notes: "HTTP/2 upstreams" },
        { version: "1.10.0", notes: "Request tracing" },
      ],
    },
    {
      name: "billing-service",
      description: "Invoices and payments",
      versions: [
        { version: "1.0.0", notes: "First release" },
        { version: "1.1.0", notes: "Multi-currency" },
        { version: "1.2.0-bad", notes: "Known broken build: deployments of it fail" },
        { version: "2.0.0", notes: "New payment provider" },
      ],
    },
  ],
};
