import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `rmcp_<id>_<secret>`: the prefix lets secret scanners and the server tell a
 * key from a JWT at a glance, and the id finds the key's entry without comparing against every
 * hash. Only the SHA-256 of the whole key is stored.
 */
export const API_KEY_PREFIX = "rmcp_";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const KEY_PATTERN = /^rmcp_(k[a-z2-7]{10})_([A-Za-z0-9_-]{43})$/;

/** A key id: "k" and 10 base32 characters (50 random bits: unique within one file, not secret). */
export function newKeyId(): string {
  const bytes = randomBytes(10);
  let id = "k";
  for (const byte of bytes) id += ID_ALPHABET[byte % 32] ?? "a";
  return id;
}

/** A new key for `id`: 32 random bytes of secret. */
export function newApiKey(id: string): string {
  return `${API_KEY_PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
}

/** The id inside a presented key, or undefined when the token is not shaped like one of our keys. */
export function keyIdOf(token: string): string | undefined {
  if (!token.startsWith(API_KEY_PREFIX)) return undefined;
  return KEY_PATTERN.exec(token)?.[1];
}

/** Whether a token is meant as an API key (it has our prefix), well-formed or not. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** The SHA-256 of a key, as stored in the keys file (lowercase hex). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Compares a presented key with a stored hash in constant time. */
export function keyMatches(key: string, storedHash: Buffer): boolean {
  const presented = createHash("sha256").update(key).digest();
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
