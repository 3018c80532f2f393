import { createHash, randomBytes } from "node:crypto";
import { createRequestStateCodec, type RequestStateCodec } from "@modelcontextprotocol/server";
import type { InputRequest, InputResponse } from "./client-input.js";

/** What a requestState belongs to: the request (method and tool or prompt) and who sent it. */
export interface StateBinding {
  readonly method: string;
  readonly target: string;
  readonly principal: string;
}

/** The server's memory of a multi-round call, carried by the client between rounds. */
export interface StatePayload extends StateBinding {
  /** Makes every state single-use: a state is accepted once. */
  readonly nonce: string;
  /** The questions asked in the round that minted this state, by key: digests of the exact request. */
  readonly asked: Readonly<Record<string, string>>;
  /** Answers from earlier rounds, with the digest of the question each answers. */
  readonly answers: Readonly<Record<string, { readonly digest: string; readonly response: InputResponse }>>;
}

/** Why a requestState was refused; each becomes a JSON-RPC -32602 with its own message. */
export type StateRejection = "tampered" | "expired" | "replayed" | "foreign";

export class RequestStateRejected extends Error {
  override readonly name = "RequestStateRejected";
  constructor(readonly reason: StateRejection) {
    super(`requestState ${reason}`);
  }
}

/** A short, stable digest of an input request: binds an answer to the exact question asked. */
export function questionDigest(request: InputRequest): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("base64url").slice(0, 22);
}

/**
 * Signs and checks requestState with the SDK's HMAC codec (integrity and expiry), adding what the
 * codec leaves to the server: binding to the request and principal, and single use. A state is
 * accepted once; the nonces seen are kept until they expire anyway, so memory stays bounded by the
 * number of multi-round calls in one TTL. In one process only: replicas that share requestState
 * need a shared key (MCP_REQUEST_STATE_KEY) and will accept a state once per replica.
 */
export class RequestStates {
  private readonly codec: RequestStateCodec<StatePayload>;
  private readonly used = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { key: Uint8Array | string; ttlSeconds: number; now?: () => number }) {
    this.codec = createRequestStateCodec<StatePayload>({ key: options.key, ttlSeconds: options.ttlSeconds });
    this.ttlMs = options.ttlSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  seal(payload: Omit<StatePayload, "nonce">): Promise<string> {
    return this.codec.mint({ ...payload, nonce: randomBytes(12).toString("base64url") });
  }

  /** The payload of a state the client echoed, or RequestStateRejected. */
  async open(state: string, binding: StateBinding): Promise<StatePayload> {
    let payload: StatePayload;
    try {
      // The codec's context argument is only read by a bind callback, which this codec has none of.
      payload = await this.codec.verify(state, undefined as never);
    } catch (error) {
      throw new RequestStateRejected(
        error instanceof Error && error.message === "expired" ? "expired" : "tampered",
      );
    }
    if (
      payload.method !== binding.method ||
      payload.target !== binding.target ||
      payload.principal !== binding.principal
    ) {
      throw new RequestStateRejected("foreign");
    }
    this.forgetExpired();
    if (this.used.has(payload.nonce)) throw new RequestStateRejected("replayed");
    this.used.set(payload.nonce, this.now() + this.ttlMs);
    return payload;
  }

  private forgetExpired(): void {
    const now = this.now();
    // Insertion order is expiry order (one TTL for all), so the expired ones are at the front.
    for (const [nonce, expiresAt] of this.used) {
      if (expiresAt > now) break;
      this.used.delete(nonce);
    }
  }
}
