import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id that ties every log line of one HTTP request together. An incoming X-Request-Id is
 * honoured when it is short and plain (so a proxy's id carries through); anything else is
 * replaced, so log injection through the header is impossible. The id is echoed back; the request
 * logger keeps it as `req.id`, and the MCP route passes it on explicitly (the incoming headers are
 * left as the client sent them).
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers["x-request-id"];
  const id = typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}
