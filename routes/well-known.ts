import cors from "cors";
import { Router } from "express";
import type { ProtectedResource } from "../src/auth/protected-resource.js";
import { JsonRpcCode, writeJsonRpcError } from "../src/http/json-rpc-error.js";

const PATHS = ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"];

/**
 * GET /.well-known/oauth-protected-resource[/mcp]: RFC 9728 metadata of /mcp, where OAuth clients
 * learn which authorization server issues tokens for this server and with which scopes. The path
 * form is what clients derive from /mcp; the root form is their fallback. Public and readable
 * from any origin (browser clients fetch it before they hold a token). Without OAuth configured,
 * a JSON 404 says how to authenticate instead.
 */
export function createWellKnownRouter(resource: ProtectedResource | undefined): Router {
  const router = Router();
  const anyOrigin = cors({ origin: "*", methods: ["GET", "OPTIONS"], maxAge: 3600 });
  router.options(PATHS, anyOrigin);
  router.get(PATHS, anyOrigin, (_req, res) => {
    if (resource === undefined) {
      writeJsonRpcError(
        res,
        404,
        JsonRpcCode.methodNotFound,
        "Not Found: OAuth is not configured on this server",
        {
          suggestion: "Authenticate with an API key: send Authorization: Bearer <API key>.",
        },
      );
      return;
    }
    res.setHeader("Cache-Control", "public, max-age=3600");
    res.json(resource.metadata);
  });
  return router;
}
