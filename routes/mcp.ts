import express, { Router, type RequestHandler, type Response } from "express";
import type { McpEndpoint } from "../src/mcp/endpoint.js";
import type { Principal } from "../src/tools/tool-definition.js";

export interface McpRouteDeps {
  /** Runs first on every /mcp route (Host/Origin guard, CORS): route-level, so no mounted-path matching. */
  readonly front: readonly RequestHandler[];
  readonly maxBodyBytes: number;
  readonly endpoint: McpEndpoint;
}

/** The caller as the auth middleware (if any) left it in res.locals; anonymous otherwise. */
function principalOf(res: Response): Principal | undefined {
  const locals: Record<string, unknown> = res.locals;
  return locals.principal as Principal | undefined;
}

/**
 * POST/GET/DELETE /mcp: Express glue in front of the McpEndpoint, which does all MCP work. The
 * glue refuses non-JSON bodies before parsing (415) and parses JSON within the size limit; it
 * passes every request's principal along.
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

  router.post("/mcp", ...deps.front, requireJson, parseJson, async (req, res) => {
    await endpoint.post(req, res, req.body, principalOf(res));
  });
  const getOrDelete: RequestHandler = async (req, res) => {
    await endpoint.getOrDelete(req, res, principalOf(res));
  };
  router.get("/mcp", ...deps.front, getOrDelete);
  router.delete("/mcp", ...deps.front, getOrDelete);
  // Also answers CORS preflight: the CORS middleware in `front` ends an allowed OPTIONS itself.
  router.all("/mcp", ...deps.front, (req, res) => {
    endpoint.notAllowed(req, res);
  });
  return router;
}
