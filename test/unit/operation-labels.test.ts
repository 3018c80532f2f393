import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorTypeOfJsonRpcCode } from "../../src/errors/json-rpc-error-type.js";
import { createLogger, failureLogger } from "../../src/observability/logger.js";
import { operationErrorLabels } from "../../src/observability/operation-labels.js";
import { LogCapture } from "../helpers/log-capture.js";

describe("operation error labels", () => {
  it("maps JSON-RPC codes onto the catalog, keeping the code in its own label", () => {
    assert.equal(errorTypeOfJsonRpcCode(-32700), "validation_error");
    assert.equal(errorTypeOfJsonRpcCode(-32601), "validation_error");
    assert.equal(errorTypeOfJsonRpcCode(-32602), "validation_error");
    assert.equal(errorTypeOfJsonRpcCode(-32022), "validation_error");
    assert.equal(errorTypeOfJsonRpcCode(-32603), "internal_error");
    assert.equal(errorTypeOfJsonRpcCode(-32001), "timeout");
    assert.equal(errorTypeOfJsonRpcCode(-32000), "cancelled");
    assert.equal(errorTypeOfJsonRpcCode(42), "internal_error");
    assert.deepEqual(operationErrorLabels({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "x" } }), {
      error_type: "validation_error",
      rpc_response_status_code: "-32602",
    });
  });

  it("reads the catalog type of an isError result from its envelope, a batch's most frequent type too", () => {
    const result = (structuredContent: unknown) => ({
      jsonrpc: "2.0",
      id: 1,
      result: { isError: true, structuredContent },
    });
    assert.deepEqual(operationErrorLabels(result({ success: false, error: { type: "not_found" } })), {
      error_type: "not_found",
      rpc_response_status_code: "",
    });
    const batch = { success: false, error_summary: { by_type: { not_found: 1, timeout: 3 } } };
    assert.equal(operationErrorLabels(result(batch)).error_type, "timeout");
    assert.equal(operationErrorLabels(result(undefined)).error_type, "tool_error", "no envelope (fixtures)");
    assert.equal(
      operationErrorLabels(result({ success: false, error: { type: "user input" } })).error_type,
      "tool_error",
      "never a value outside the catalog",
    );
  });

  it("gives empty labels to a success", () => {
    assert.deepEqual(operationErrorLabels({ jsonrpc: "2.0", id: 1, result: { content: [] } }), {
      error_type: "",
      rpc_response_status_code: "",
    });
  });
});

describe("failureLogger", () => {
  it("writes warn lines at LOG_LEVEL error and fatal, keeps other levels as they are, and silent silent", () => {
    for (const [level, expected] of [
      ["error", ["warn", "error"]],
      ["fatal", ["warn", "error"]],
      ["warn", ["warn", "error"]],
      ["info", ["info", "warn", "error"]],
      ["silent", []],
    ] as const) {
      const logs = new LogCapture();
      const logger = failureLogger(createLogger({ level, destination: logs }));
      logger.info("success");
      logger.warn("failed");
      logger.error("internal");
      assert.deepEqual(
        logs.lines.map((line) => line.level),
        expected,
        `LOG_LEVEL=${level}`,
      );
    }
  });
});
