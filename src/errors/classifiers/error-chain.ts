/** Reading facts off errors of unknown origin, by duck typing (no dependency on their packages). */

const MAX_DEPTH = 6;

/** The error, its causes, and the members of AggregateErrors among them, outermost first. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < MAX_DEPTH) {
    const current = queue.shift();
    if (current === undefined || current === null || chain.includes(current)) continue;
    chain.push(current);
    if (typeof current !== "object") continue;
    if ("cause" in current) queue.push(current.cause);
    // Happy-eyeballs connects fail with an AggregateError holding one error per address.
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
  }
  return chain;
}

/** The string `code` property of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = property(error, "code");
  return typeof code === "string" ? code : undefined;
}

/** The `name` of an error (DOMException included), if it has one. */
export function errorName(error: unknown): string | undefined {
  const name = property(error, "name");
  return typeof name === "string" ? name : undefined;
}

/** The `message` of an error, if it has one. */
export function errorMessage(error: unknown): string | undefined {
  const message = property(error, "message");
  return typeof message === "string" ? message : undefined;
}

/** A property of an object of unknown type. */
export function property(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
