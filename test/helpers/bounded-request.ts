import supertest from "supertest";
import { ANSWER_DEADLINE_MS, DeadlineError } from "./deadline.js";

type App = Parameters<typeof supertest>[0];
type Method = "get" | "post" | "put" | "delete" | "options" | "patch" | "head";
type Test = supertest.Test;
/** An answer as supertest reads it. */
export type Response = supertest.Response;

/** superagent's own timeout error: "Timeout of N ms exceeded", with no word of what timed out. */
function isTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && "timeout" in error && "code" in error;
}

function bounded(test: Test, what: string, ms: number): Test {
  test.timeout(ms);
  const then = test.then.bind(test);
  // Every await of the test goes through then(): a missed deadline becomes a DeadlineError
  // naming the method and path instead of superagent's anonymous timeout.
  test.then = ((onFulfilled, onRejected) =>
    then(undefined, (error: unknown) => {
      throw isTimeout(error) ? new DeadlineError(what, ms) : error;
    }).then(onFulfilled, onRejected)) as Test["then"];
  return test;
}

/**
 * supertest with a deadline on every request: `request(app).post("/mcp")…` as with supertest,
 * but a request that gets no answer fails after `ms` naming the method and path.
 */
export function request(app: App, ms = ANSWER_DEADLINE_MS): Record<Method, (url: string) => Test> {
  const agent = supertest(app);
  const method =
    (name: Method) =>
    (url: string): Test =>
      bounded(agent[name](url), `${name.toUpperCase()} ${url}`, ms);
  return {
    get: method("get"),
    post: method("post"),
    put: method("put"),
    delete: method("delete"),
    options: method("options"),
    patch: method("patch"),
    head: method("head"),
  };
}
