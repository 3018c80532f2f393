import { errorChain, errorCode } from "../../errors/classifiers/error-chain.js";
import { UpstreamError } from "../../errors/upstream-error.js";

/** Bytes of an error body kept for the log; never sent to the client. */
export const SNIPPET_BYTES = 512;

/** What reading a body needs to know. */
export interface ReadBodyOptions {
  readonly service: string;
  readonly maxBytes: number;
}

/**
 * Reads a JSON body, refusing more than `maxBytes` both when the service declares it
 * (Content-Length) and as bytes actually arrive, so a missing or lying Content-Length, or a
 * compressed body that inflates (fetch decodes gzip before we count), cannot exhaust memory.
 * Oversized and unparseable bodies are bad_response failures of the service.
 */
export async function readJsonBody(response: Response, options: ReadBodyOptions): Promise<unknown> {
  const { service, maxBytes } = options;
  if (response.status === 204) {
    await response.body?.cancel().catch(ignore);
    return null;
  }
  const declared = declaredLength(response);
  if (declared !== undefined && declared > maxBytes) {
    await response.body?.cancel().catch(ignore);
    throw tooLarge(service, response.status, `declares ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const bytes = await readCapped(response, maxBytes).catch((error: unknown) => {
    throw undecodable(service, response.status, error) ?? error;
  });
  if (bytes === undefined) throw tooLarge(service, response.status, `exceeds the ${maxBytes}-byte limit`);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamError(
      service,
      `${service} answered HTTP ${response.status} with a body that is not JSON`,
      {
        status: response.status,
        kind: "bad_response",
        bodySnippet: text.slice(0, SNIPPET_BYTES),
        cause: error,
      },
    );
  }
}

/** The first bytes of a body as text, for the log; never throws, always releases the connection. */
export async function readSnippet(response: Response): Promise<string | undefined> {
  try {
    const reader = bodyReader(response);
    if (!reader) return undefined;
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    await reader.cancel().catch(ignore);
    return new TextDecoder().decode(concat(chunks, size)).slice(0, SNIPPET_BYTES);
  } catch {
    return undefined;
  }
}

/** The body's bytes, or undefined as soon as more than `maxBytes` have arrived (the rest is cancelled). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const reader = bodyReader(response);
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(chunks, size);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(ignore);
      return undefined;
    }
    chunks.push(value);
  }
}

/**
 * A body that fails to decompress (zlib's Z_* codes under fetch's "terminated") is garbage from the
 * service, not a network failure; anything else (a reset mid-body, an abort) is left to the caller.
 */
function undecodable(service: string, status: number, error: unknown): UpstreamError | undefined {
  const zlibCode = errorChain(error)
    .map(errorCode)
    .find((code) => code?.startsWith("Z_"));
  if (zlibCode === undefined) return undefined;
  return new UpstreamError(service, `${service} sent a body that could not be decompressed (${zlibCode})`, {
    status,
    kind: "bad_response",
    cause: error,
  });
}

/** fetch bodies are byte streams; the DOM typings leave the chunk type open. */
function bodyReader(response: Response): ReadableStreamDefaultReader<Uint8Array> | undefined {
  const body = response.body as ReadableStream<Uint8Array> | null;
  return body?.getReader();
}

function declaredLength(response: Response): number | undefined {
  const header = response.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function tooLarge(service: string, status: number, detail: string): UpstreamError {
  return new UpstreamError(service, `${service} response ${detail}`, {
    status,
    kind: "bad_response",
  });
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function ignore(): void {
  // Cancelling a body we no longer want may fail if the socket is already gone; nothing to do.
}
