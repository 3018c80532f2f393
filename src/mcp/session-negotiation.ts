import type { RequestObserver } from "./request-observer.js";
import { initializeParamsOf, type InitializeParams } from "./session-restore.js";

/**
 * Passes every request on to `observer`, and remembers the protocol version the answer to
 * initialize negotiated (for the session's duration metric).
 */
export function negotiatedVersion(
  observer: RequestObserver,
  onNegotiated: (params: InitializeParams, version: string) => void,
): { observer: RequestObserver; version: () => string; restore: (version: string) => void } {
  let negotiated = "";
  return {
    version: () => negotiated,
    restore: (version) => {
      negotiated = version;
    },
    observer: {
      requestStarted(request, protocolVersion, caller) {
        const finished = observer.requestStarted(request, protocolVersion, caller);
        if (request.method !== "initialize") return finished;
        return (response) => {
          const result = "result" in response ? response.result : undefined;
          if (typeof result?.protocolVersion === "string") {
            negotiated = result.protocolVersion;
            onNegotiated(initializeParamsOf(request), negotiated);
          }
          finished(response);
        };
      },
    },
  };
}
