import express, { Router, type RequestHandler } from "express";
import { principalOf } from "../src/auth/principal.js";
import type { McpEndpoint } from "../src/mcp/endpoint.js";

export interface McpRouteDeps {
  /** Runs first on every /mcp route (Host/Origin guard, CORS): route-level, so no mounted-path matching. */
  readonly front: readonly RequestHandler[];
  /** Runs after `front` on GET/POST/DELETE: sets res.locals.principal or refuses the request. */
  readonly authenticate: RequestHandler;
  /** Runs after `authenticate` (on POST also after parsing: a batch costs its messages): 429 over budget. */
  readonly rateLimit: RequestHandler;
  readonly maxBodyBytes: number;
  readonly endpoint: McpEndpoint;
}

/**
 * POST/GET/DELETE /mcp: Express glue in front of the McpEndpoint, which does all MCP work. The
 * glue authenticates, refuses non-JSON bodies before parsing (415), parses JSON within the size
 * limit, and passes every request's principal (res.locals.principal) and request id along.
 */
export function createMcpRouter(deps: McpRouteDeps): Router {
  const router = Router();
  const { endpoint } = deps;
  const requireJson: RequestHandler = (req, res, next) => {
    if (!endpoint.refuseNonJson(req, res, req.is(["application/json", "application/*+json"]) !== false))
      next();
  };
  const parseJson = express.json({
    limit: deps.maxBodyBytes,
    // Any JSON value parses; one that is not a JSON-RPC message is then -32600, not a parse error.
    strict: false,
    type: ["application/json", "application/*+json"],
  });

  router.post(
    "/mcp",
    ...deps.front,
    deps.authenticate,
    deps.rateLimit,
    requireJson,
    parseJson,
    deps.rateLimit,
    async (req, res) => {
      await endpoint.post(req, res, req.body, principalOf(res), requestIdOf(req));
    },
  );
  const getOrDelete: RequestHandler = async (req, res) => {
    await endpoint.getOrDelete(req, res, principalOf(res));
  };
  router.get("/mcp", ...deps.front, deps.authenticate, deps.rateLimit, getOrDelete);
  router.delete("/mcp", ...deps.front, deps.authenticate, deps.rateLimit, getOrDelete);
  // Also answers CORS preflight: the CORS middleware in `front` ends an allowed OPTIONS itself.
  router.all("/mcp", ...deps.front, (req, res) => {
    endpoint.notAllowed(req, res);
  });
  return router;
}

/** The id the request logger gave this request (see assignRequestId), passed on to the MCP layer. */
function requestIdOf(req: { id?: unknown }): string | undefined {
  return typeof req.id === "string" ? req.id : undefined;
}
