/**
 * A child process for the crash test (run it, do not import it): it imports batches of
 * `itemsPerBatch` items plus one project into the store at `dataDir` in a loop, one transaction
 * per batch. It prints "begin <n>" when batch n's first row is written (inside the transaction)
 * and "<n>" once batch n has committed. Each row pauses ~2 ms inside the transaction, so a
 * SIGKILL sent on "begin" lands mid-batch.
 *
 * Usage: node --import tsx test/helpers/store-kill-writer.ts <dataDir> <itemsPerBatch>
 */
import { SqliteStore } from "../../src/backends/store/sqlite-store.js";

const [, , dataDir, itemsArgument] = process.argv;
const itemsPerBatch = Number(itemsArgument);
if (dataDir === undefined || !Number.isInteger(itemsPerBatch) || itemsPerBatch < 1) {
  throw new Error("usage: store-kill-writer.ts <dataDir> <itemsPerBatch>");
}
const store = SqliteStore.open({ dataDir, seed: false });
const pause = new Int32Array(new SharedArrayBuffer(4));

for (let batch = 0; ; batch += 1) {
  await store.importRecords(
    {
      items: Array.from({ length: itemsPerBatch }, (_, index) => ({
        id: `kill-${batch}-${index}`,
        name: `Kill test ${batch}/${index}`,
        priceCents: index,
      })),
      projects: [{ name: `kill-${batch}`, settings: { batch } }],
    },
    {
      onStep: (step) => {
        if (step.index === 1) process.stdout.write(`begin ${batch}\n`);
        Atomics.wait(pause, 0, 0, 2);
      },
    },
  );
  // Synchronous on Linux pipes: the parent learns of a commit as soon as it happened.
  process.stdout.write(`${batch}\n`);
}
