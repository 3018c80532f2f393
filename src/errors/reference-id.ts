import { randomFillSync } from "node:crypto";

/**
 * Reference ids tie an error a model sees to the log lines a human reads: `ref_` + 16 Crockford
 * base32 characters, 10 from the millisecond timestamp (so ids sort by time) and 6 random.
 * Crockford's alphabet has no I, L, O or U, so ids read aloud or retyped survive.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 6;

/** Matches a reference id and nothing else. */
export const REFERENCE_ID_PATTERN = /^ref_[0-9A-HJKMNP-TV-Z]{16}$/;

/** Random bytes source; node:crypto by default, replaceable in tests. */
export type RandomBytes = (size: number) => Uint8Array;

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Cryptographic random bytes drawn from a pool refilled 4 KiB at a time: one call per id costs more. */
function pooledRandomBytes(size: number): Uint8Array {
  if (poolOffset + size > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

/** A new reference id for a call that started at `nowMs`. */
export function newReferenceId(nowMs: number, random: RandomBytes = pooledRandomBytes): string {
  let time = Math.max(0, Math.floor(nowMs));
  let timeChars = "";
  for (let i = 0; i < TIME_CHARS; i++) {
    timeChars = ALPHABET.charAt(time % 32) + timeChars;
    time = Math.floor(time / 32);
  }
  // 4 bytes hold the 30 random bits the 6 characters need.
  const bytes = random(4);
  let bits = ((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  let randomChars = "";
  for (let i = 0; i < RANDOM_CHARS; i++) {
    randomChars += ALPHABET.charAt(bits & 31);
    bits >>>= 5;
  }
  return `ref_${timeChars}${randomChars}`;
}

/** The millisecond timestamp inside a reference id, or undefined if it is not one. */
export function referenceIdTime(referenceId: string): number | undefined {
  if (!REFERENCE_ID_PATTERN.test(referenceId)) return undefined;
  let time = 0;
  for (const char of referenceId.slice(4, 4 + TIME_CHARS)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}
