import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";

/** One event of a session's stream as stored in the shared event history. */
export interface SharedEvent {
  readonly eventId: string;
  readonly message: JSONRPCMessage;
  /** Stored by this replica (its own connection already carried it). */
  readonly fromHere: boolean;
}

/**
 * The part of a session's streams that other replicas share (Redis): events one replica stores
 * reach a connection another replica holds, and requests in flight are recorded so a survivor
 * answers them if this replica dies. Absent: one process holds everything.
 */
export interface SharedStreams {
  /**
   * Delivers the events of `streamId` stored after `afterEventId` (undefined: only new ones), as
   * they come, until the returned function is called.
   */
  follow(
    streamId: string,
    afterEventId: string | undefined,
    deliver: (event: SharedEvent) => void,
  ): () => void;
  /** Records a request of `streamId` as in flight on this replica; the returned function clears it. */
  track(streamId: string, requestId: RequestId): () => void;
}
