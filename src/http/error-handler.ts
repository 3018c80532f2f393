import type { ErrorRequestHandler, RequestHandler } from "express";
import { JsonRpcCode, writeJsonRpcError } from "./json-rpc-error.js";
import { refusalCodeFor } from "./refusal-code.js";

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === "object" && err !== null && typeof (err as { type?: unknown }).type === "string";
}

/**
 * body-parser wraps a failure of the decompression stream (a garbage gzip, deflate or brotli
 * body) in a 400 without a `type`; it keeps the zlib error's numeric `errno`, which tells it from
 * other 400s. The client sent bytes that do not decode: a parse error, not a server fault.
 */
function isUndecodableBody(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { status, errno } = err as { status?: unknown; errno?: unknown };
  return status === 400 && typeof errno === "number";
}

/**
 * The last middleware: every failure that escaped a route becomes a JSON-RPC error body with the
 * right status. Client mistakes get a precise message; anything else is logged with its stack and
 * answered with a masked 500 — never Express's HTML page, never a stack trace.
 */
export function httpErrorHandler(options: { maxBodyBytes: number }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (isBodyParserError(err)) {
      switch (err.type) {
        case "entity.parse.failed":
          writeJsonRpcError(res, 400, JsonRpcCode.parseError, "Parse error: Invalid JSON");
          return;
        case "entity.too.large":
          writeJsonRpcError(res, 413, refusalCodeFor(req), "Payload Too Large", {
            max_bytes: options.maxBodyBytes,
            suggestion: `Send a request body of at most ${options.maxBodyBytes} bytes.`,
          });
          return;
        case "encoding.unsupported":
        case "charset.unsupported":
          writeJsonRpcError(res, 415, refusalCodeFor(req), "Unsupported Media Type: use UTF-8 JSON");
          return;
        case "request.aborted":
        case "request.size.invalid":
        case "stream.encoding.set":
          writeJsonRpcError(
            res,
            400,
            JsonRpcCode.invalidRequest,
            "Invalid Request: the body could not be read",
          );
          return;
        default:
          break;
      }
    }
    if (isUndecodableBody(err)) {
      writeJsonRpcError(
        res,
        400,
        JsonRpcCode.parseError,
        "Parse error: the body does not decode with its Content-Encoding",
        { suggestion: "Send the body uncompressed, or compressed as its Content-Encoding header says." },
      );
      return;
    }
    req.log.error({ err }, "unhandled error in HTTP request");
    writeJsonRpcError(res, 500, JsonRpcCode.internalError, "Internal error", {
      request_id: req.id,
      suggestion: "Retry the request; if it keeps failing, report the request id.",
    });
  };
}

/** Any path the server does not serve: a JSON 404, not Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  writeJsonRpcError(res, 404, JsonRpcCode.methodNotFound, `Not Found: ${req.method} ${req.path}`, {
    suggestion:
      "The MCP endpoint is POST/GET/DELETE /mcp; health is GET /health and /ready; metrics GET /metrics.",
  });
};
