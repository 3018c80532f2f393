import type { Deployment, DeploymentListener } from "./store.js";

/** Receives an error thrown by a listener, which must not fail the write that emitted. */
export type ListenerErrorHandler = (error: unknown) => void;

/**
 * In-process fan-out of deployment changes. A store emits after its transaction commits, so a
 * listener never sees a state that could still roll back. A throwing listener is reported and
 * skipped: the write it observed has already happened and must still succeed for its caller.
 */
export class DeploymentEvents {
  readonly #listeners = new Set<DeploymentListener>();
  readonly #onListenerError: ListenerErrorHandler;

  constructor(onListenerError: ListenerErrorHandler = warnListenerError) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns the function that removes it (safe to call twice). */
  subscribe(listener: DeploymentListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry: DeploymentListener = (deployment) => {
      listener(deployment);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Tells every listener about a committed change. */
  emit(deployment: Deployment): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(deployment);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  /** How many listeners are subscribed (waiters that forget to unsubscribe show up here). */
  get size(): number {
    return this.#listeners.size;
  }

  /** Drops every listener (on close). */
  clear(): void {
    this.#listeners.clear();
  }
}

function warnListenerError(error: unknown): void {
  process.emitWarning(
    `A deployment listener threw: ${error instanceof Error ? error.message : String(error)}`,
    "DeploymentListenerWarning",
  );
}
