import { runKeysCommand } from "../auth/keys-command.js";

// `npm run keys -- …` (or `node dist/src/cli/keys.js …` in the container): see keys-command.ts.
process.exitCode = await runKeysCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
