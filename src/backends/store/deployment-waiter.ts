import { isTerminalDeploymentStatus, type DeploymentStatus } from "../../domain/deployments.js";
import { RefusalError } from "../../domain/refusal.js";
import type { Deployment, DeploymentStateStore, WaitForDeploymentOptions } from "./store.js";

/** The shortest re-check interval: waiting must never become busy polling. */
export const MIN_WAIT_POLL_MS = 50;

/** How waitForDeployment re-reads the deployment besides listening for events. */
export interface WaiterOptions extends WaitForDeploymentOptions {
  /**
   * Re-reads the deployment this often (at least MIN_WAIT_POLL_MS). Events carry every change
   * made through this process; the re-read catches changes another process made to the same data.
   */
  readonly pollIntervalMs: number;
}

/**
 * Waits for a deployment to reach a terminal status, reporting each status it passes through.
 * Backend-agnostic: any DeploymentStateStore can offer it as its waitForDeployment. It subscribes
 * before the first read, so a change landing between the two is not missed; on abort it
 * unsubscribes and rejects with the signal's reason (an AbortError or TimeoutError DOMException,
 * which the error service classifies as cancelled or timeout). The deployment is not cancelled.
 */
export function waitForDeployment(
  store: DeploymentStateStore,
  id: string,
  options: WaiterOptions,
): Promise<Deployment> {
  const { signal, onChange } = options;
  const pollMs = Math.max(MIN_WAIT_POLL_MS, options.pollIntervalMs);
  return new Promise<Deployment>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    let lastStatus: DeploymentStatus | undefined;
    let pollTimer: NodeJS.Timeout | undefined;

    const isSettled = (): boolean => settled;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(pollTimer);
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const observe = (deployment: Deployment): void => {
      if (settled || deployment.id !== id || deployment.status === lastStatus) return;
      lastStatus = deployment.status;
      try {
        onChange?.(deployment);
      } catch (error) {
        settle(() => {
          reject(asError(error));
        });
        return;
      }
      if (isTerminalDeploymentStatus(deployment.status)) {
        settle(() => {
          resolve(deployment);
        });
      }
    };
    const onAbort = (): void => {
      settle(() => {
        reject(abortReason(signal));
      });
    };
    const check = (): void => {
      store.getDeployment(id).then(
        (deployment) => {
          if (settled) return;
          if (deployment === undefined) {
            settle(() => {
              reject(new RefusalError({ kind: "unknown_record", collection: "deployments", id, known: [] }));
            });
            return;
          }
          observe(deployment);
          // observe() may have settled the wait; ask through a call, not the narrowed variable.
          if (!isSettled()) {
            // Unref'd: a wait must not keep a process alive that has nothing else to do.
            pollTimer = setTimeout(check, pollMs).unref();
          }
        },
        (error: unknown) => {
          settle(() => {
            reject(asError(error));
          });
        },
      );
    };

    const unsubscribe = store.watchDeployments(observe);
    signal?.addEventListener("abort", onAbort, { once: true });
    check();
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("The wait was aborted", "AbortError");
}
