import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createWorkspace,
  WorkspaceOptionsError,
  type Workspace,
} from "../../src/backends/workspace/index.js";
import { scrubError } from "../../src/backends/workspace/fs-errors.js";
import { classifyError } from "../../src/errors/classify.js";
import { errorEnvelope } from "../../src/errors/envelope.js";
import { ToolError } from "../../src/errors/tool-error.js";
import { classifiedRejection } from "../helpers/classified-rejection.js";

// Layout: <base>/ws is the workspace; <base>/outside holds what must stay unreachable.
let base: string;
let root: string;
let workspace: Workspace;

before(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "ws-resolve-")));
  root = path.join(base, "ws");
  await mkdir(path.join(root, "docs", "deep"), { recursive: true });
  await mkdir(path.join(base, "outside"));
  await writeFile(path.join(root, "README.md"), "# readme\n");
  await writeFile(path.join(root, "docs", "guide.md"), "# guide\n");
  await writeFile(path.join(root, "50%20off.txt"), "literal percent\n");
  await writeFile(path.join(base, "outside", "secret.txt"), "secret\n");
  await symlink(path.join(base, "outside", "secret.txt"), path.join(root, "secret-link.txt"));
  await symlink(path.join(base, "outside"), path.join(root, "outside-dir"));
  await symlink(path.join(base, "outside", "not-there.txt"), path.join(root, "dangling-out.txt"));
  await symlink(path.join(root, "docs", "guide.md"), path.join(root, "guide-link.md"));
  await symlink("docs", path.join(root, "docs-link"));
  await symlink("missing-target.md", path.join(root, "dangling-in.md"));
  await symlink("loop-b", path.join(root, "loop-a"));
  await symlink("loop-a", path.join(root, "loop-b"));
  // A sibling whose name starts with the root's: a prefix check without "/" would let it in.
  await mkdir(path.join(base, "ws-evil"));
  await writeFile(path.join(base, "ws-evil", "x.txt"), "x\n");
  await symlink(path.join(base, "ws-evil", "x.txt"), path.join(root, "prefix-link.txt"));
  workspace = await createWorkspace({ root, maxPathLength: 300 });
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The error as a client would see it, plus the raw fields, must not mention the absolute paths. */
function assertNoAbsolutePaths(error: ToolError): void {
  const seen = JSON.stringify({
    message: error.message,
    suggestion: error.suggestion,
    details: error.details,
    envelope: errorEnvelope(error, "ref_test"),
  });
  for (const secret of [base, root, tmpdir()]) {
    assert.ok(!seen.includes(secret), `error mentions ${secret}: ${seen}`);
  }
}

describe("workspace.resolve: traversal tricks", () => {
  const escapes: readonly (readonly [string, string, RegExp])[] = [
    ["absolute path", "/etc/passwd", /absolute path/],
    ["absolute path to a workspace file", "/README.md", /absolute path/],
    ["parent segments", "../../etc/passwd", /climb above the workspace root/],
    ["parent of the root", "..", /climb above/],
    ["climbing after going down", "docs/../../outside/secret.txt", /climb above/],
    ["URL-encoded dots and slash", "%2e%2e%2fetc%2fpasswd", /climb above.*URL-decoded/],
    ["mixed encoded dots", "%2e%2e/outside/secret.txt", /climb above.*URL-decoded/],
    ["encoded slash only", "..%2fetc", /climb above.*URL-decoded/],
    ["upper-case escapes", "%2E%2E%2F%2E%2E%2Fetc", /climb above/],
    ["double-encoded", "%252e%252e%252fetc%252fpasswd", /climb above.*URL-decoded/],
    ["backslash separators", "..\\..\\etc\\passwd", /climb above.*backslashes/],
    ["encoded backslash", "..%5c..%5cetc", /climb above/],
    ["Windows drive letter", "C:\\Windows\\win.ini", /drive letter/],
    ["drive letter with slash", "c:/Windows", /drive letter/],
    ["UNC path", "\\\\server\\share\\file.txt", /UNC/],
    ["UNC with slashes", "//server/share", /UNC/],
    ["home directory", "~/.ssh/id_rsa", /home directory/],
  ];
  for (const [label, given, reason] of escapes) {
    it(`refuses ${label} (${given}) as permission_denied`, async () => {
      const error = await classifiedRejection(workspace.resolve(given, { action: "read" }));
      assert.equal(error.type, "permission_denied");
      assert.equal(error.details.resource, given);
      assert.equal(error.details.action, "read");
      assert.match(error.suggestion ?? "", reason);
      assert.match(error.suggestion ?? "", /use a path relative to the workspace root such as/i);
      assertNoAbsolutePaths(error);
    });
  }

  const malformed: readonly (readonly [string, string, RegExp])[] = [
    ["a NUL byte", "docs/\u0000guide.md", /NUL byte/],
    ["a newline", "docs/guide.md\n", /control character U\+000A/],
    ["an escape character", "docs/\u001b[31mguide.md", /control character U\+001B/],
    ["a C1 control character", "docs/\u0085guide.md", /control character U\+0085/],
    ["an encoded NUL", "docs/guide.md%00.txt", /URL-encoded NUL/],
    ["an encoded slash that stays inside", "docs%2fguide.md", /URL-encoded/],
    ["encoded dots that stay inside", "docs/%2e/guide.md", /URL-encoded/],
    ["backslashes that stay inside", "docs\\guide.md", /backslashes/],
    ["an empty path", "", /is empty/],
    ["an over-long path", `${"a/".repeat(150)}x`, /characters long; the limit is 300/],
    ["an over-long name", "n".repeat(256), /bytes per name/],
  ];
  for (const [label, given, reason] of malformed) {
    it(`refuses a path with ${label} as validation_error on the field`, async () => {
      const error = await classifiedRejection(workspace.resolve(given, { field: "file_paths" }));
      assert.equal(error.type, "validation_error");
      assert.equal(error.details.field, "file_paths");
      assert.match(error.message, reason);
      assertNoAbsolutePaths(error);
    });
  }

  it("counts name length in bytes, not characters", async () => {
    const error = await classifiedRejection(workspace.resolve("é".repeat(128)));
    assert.equal(error.type, "validation_error");
    assert.match(error.message, /256 bytes/);
  });

  it("suggests the corrected spelling of a malformed path that stays inside", async () => {
    const error = await classifiedRejection(workspace.resolve("docs\\guide.md"));
    assert.deepEqual(error.details.examples, ["docs/guide.md"]);
    assert.match(error.suggestion ?? "", /"docs\/guide.md"/);
  });

  it('suggests the path kept inside when it exists ("/docs/guide.md" → "docs/guide.md")', async () => {
    const error = await classifiedRejection(workspace.resolve("/docs/guide.md"));
    assert.match(error.suggestion ?? "", /such as "docs\/guide.md"/);
  });

  it("answers an absolute path to a real workspace file exactly like any other absolute path", async () => {
    // Otherwise the error would be an oracle for where the root is on the server's disk.
    const inside = await classifiedRejection(workspace.resolve(path.join(root, "README.md")));
    const outside = await classifiedRejection(workspace.resolve("/nonexistent-dir/README.md"));
    assert.equal(inside.type, "permission_denied");
    const strip = (error: ToolError, given: string) =>
      JSON.stringify({ m: error.message, s: error.suggestion }).replaceAll(given, "<given>");
    assert.equal(strip(inside, path.join(root, "README.md")), strip(outside, "/nonexistent-dir/README.md"));
  });

  it("accepts a .. that stays inside, a literal %20, and normalises the relative form", async () => {
    const up = await workspace.resolve("docs/deep/../guide.md");
    assert.equal(up.exists, true);
    assert.equal(up.relative, "docs/guide.md");
    assert.equal(up.absolute, path.join(root, "docs", "guide.md"));
    const literal = await workspace.resolve("50%20off.txt");
    assert.equal(literal.exists, true);
    const dotted = await workspace.resolve("./docs//guide.md/");
    assert.equal(dotted.relative, "docs/guide.md");
    assert.equal((await workspace.resolve(".")).relative, ".");
  });
});

describe("workspace.resolve: symlinks", () => {
  const outward: readonly (readonly [string, string])[] = [
    ["a file link pointing outside", "secret-link.txt"],
    ["a folder link pointing outside, used as a parent", "outside-dir/secret.txt"],
    ["a folder link pointing outside, itself", "outside-dir"],
    ["a file that does not exist under an outward folder link", "outside-dir/new.txt"],
    ["a dangling link whose target is outside", "dangling-out.txt"],
    ["a link into a sibling whose name extends the root's", "prefix-link.txt"],
  ];
  for (const [label, given] of outward) {
    it(`refuses ${label} as permission_denied without naming its target`, async () => {
      const error = await classifiedRejection(workspace.resolve(given));
      assert.equal(error.type, "permission_denied");
      assert.equal(error.details.resource, given);
      assert.match(error.suggestion ?? "", /symbolic link that points outside the workspace/);
      assert.ok(!JSON.stringify(error.details).includes("outside/"), "the link target leaked");
      assertNoAbsolutePaths(error);
    });
  }

  it("refuses a symlink loop as permission_denied", async () => {
    const error = await classifiedRejection(workspace.resolve("loop-a"));
    assert.equal(error.type, "permission_denied");
    assert.match(error.suggestion ?? "", /loops back on itself/);
    assertNoAbsolutePaths(error);
  });

  it("allows a link pointing inside, resolving it to the real file", async () => {
    const file = await workspace.resolve("guide-link.md");
    assert.equal(file.exists, true);
    assert.equal(file.absolute, path.join(root, "docs", "guide.md"));
    assert.equal(file.relative, "guide-link.md");
    const through = await workspace.resolve("docs-link/guide.md");
    assert.equal(through.absolute, path.join(root, "docs", "guide.md"));
  });

  it("reports a dangling link pointing inside as a missing path, not a refusal", async () => {
    const resolved = await workspace.resolve("dangling-in.md");
    assert.equal(resolved.exists, false);
  });

  it("resolves a path that does not exist yet against its real parent", async () => {
    const resolved = await workspace.resolve("docs-link/new/file.md");
    assert.equal(resolved.exists, false);
    assert.deepEqual(
      { parent: resolved.missing.parent, name: resolved.missing.name, rest: resolved.missing.rest },
      { parent: "docs-link", name: "new", rest: ["file.md"] },
    );
    assert.equal(resolved.absolute, path.join(root, "docs", "new", "file.md"));
  });

  it("works, and leaks neither spelling, when the root itself is reached through a symlink", async () => {
    const alias = path.join(base, "alias");
    await symlink(root, alias);
    const viaAlias = await createWorkspace({ root: alias });
    const file = await viaAlias.resolve("docs/guide.md");
    assert.equal(file.absolute, path.join(root, "docs", "guide.md"));
    const error = await classifiedRejection(viaAlias.resolve("secret-link.txt"));
    assert.equal(error.type, "permission_denied");
    const seen = JSON.stringify({
      message: error.message,
      suggestion: error.suggestion,
      details: error.details,
    });
    assert.ok(!seen.includes(alias) && !seen.includes(root));
  });
});

describe("workspace file-system errors", () => {
  it("scrubs the absolute root from errors it lets through, keeping code and syscall for the classifier", () => {
    const raw = Object.assign(new Error(`EIO: i/o error, read '${root}/docs/guide.md'`), {
      code: "EIO",
      errno: -5,
      syscall: "read",
      path: `${root}/docs/guide.md`,
    });
    const scrubbed = scrubError(raw, [root]);
    assert.ok(scrubbed instanceof Error);
    assert.equal(scrubbed.message, "EIO: i/o error, read 'docs/guide.md'");
    assert.ok(!(scrubbed.stack ?? "").includes(root));
    assert.deepEqual(
      [Reflect.get(scrubbed, "code"), Reflect.get(scrubbed, "syscall"), Reflect.get(scrubbed, "path")],
      ["EIO", "read", "docs/guide.md"],
    );
    // Unknown codes stay internal_error, whose message the envelope masks anyway.
    const classified = classifyError(scrubbed);
    assert.equal(classified.type, "internal_error");
    assert.ok(!JSON.stringify(errorEnvelope(classified, "ref_x")).includes(root));
  });

  it(
    "reports an unreadable folder as permission_denied on the relative path",
    { skip: process.getuid?.() === 0 ? "root ignores file permissions" : false },
    async () => {
      const locked = path.join(root, "locked");
      await mkdir(locked);
      await writeFile(path.join(locked, "file.txt"), "x\n");
      await chmod(locked, 0o000);
      try {
        const error = await classifiedRejection(workspace.readText("locked/file.txt"));
        assert.equal(error.type, "permission_denied");
        assert.equal(error.details.resource, "locked/file.txt");
        assertNoAbsolutePaths(error);
      } finally {
        await chmod(locked, 0o755);
      }
    },
  );
});

describe("createWorkspace", () => {
  it("fails at start-up when the root is missing or is a file", async () => {
    await assert.rejects(createWorkspace({ root: path.join(base, "no-such-dir") }), WorkspaceOptionsError);
    await assert.rejects(createWorkspace({ root: path.join(root, "README.md") }), /not a directory/);
  });

  it("names every bad limit at once", async () => {
    await assert.rejects(
      createWorkspace({ root, maxFileBytes: 0, maxPathLength: 1.5, maxEntriesScanned: -1 }),
      (error) => {
        assert.ok(error instanceof WorkspaceOptionsError);
        assert.equal(error.problems.length, 3);
        assert.match(error.message, /maxFileBytes must be a whole number from 1/);
        return true;
      },
    );
  });

  it("exposes frozen limits with defaults applied", async () => {
    const defaults = await createWorkspace({ root });
    assert.deepEqual(defaults.limits, {
      maxFileBytes: 1024 * 1024,
      maxPathLength: 1024,
      maxEntriesScanned: 10_000,
    });
    assert.ok(Object.isFrozen(defaults.limits));
  });
});
