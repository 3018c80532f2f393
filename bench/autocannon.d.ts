/**
 * The part of autocannon's programmatic API the benchmark uses. Declared here rather than taken
 * from @types/autocannon so that lint and typecheck pass on a clone where bench/node_modules has
 * not been installed (CI never installs it).
 */
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  interface Histogram {
    readonly average: number;
    readonly stddev: number;
    readonly min: number;
    readonly max: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
  }

  interface Client extends EventEmitter {
    setHeaders(headers: Record<string, string>): void;
  }

  interface Options {
    readonly url: string;
    readonly method?: "GET" | "POST" | "DELETE";
    readonly connections?: number;
    readonly duration?: number;
    /** Milliseconds between samples; a run also ends on a sample, so this bounds its overshoot. */
    readonly sampleInt?: number;
    readonly timeout?: number;
    readonly pipelining?: number;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly idReplacement?: boolean;
    readonly setupClient?: (client: Client) => void;
    readonly verifyBody?: (body: string) => boolean;
  }

  interface Result {
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly "2xx": number;
    readonly requests: Histogram & { readonly total: number; readonly sent: number };
    readonly latency: Histogram;
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(options: Options): Instance;
  export default autocannon;
}
