import { API_KEY_PREFIX } from "./api-key.js";

/** Query parameters that carry credentials by convention (RFC 6750 §2.3 and common API habits). */
const CREDENTIAL_NAMES = new Set([
  "access_token",
  "token",
  "id_token",
  "refresh_token",
  "api_key",
  "apikey",
  "api-key",
  "key",
  "auth",
  "authorization",
  "bearer",
  "client_secret",
]);

/** A value that is a credential whatever it is called: one of our keys, or a JWT. */
function looksLikeCredential(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) || /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(value);
}

function isCredential(name: string, value: string): boolean {
  return CREDENTIAL_NAMES.has(name.toLowerCase()) || looksLikeCredential(value);
}

/** Whether a request URL carries a credential in its query string (which this server refuses). */
export function hasQueryCredential(url: string): boolean {
  const start = url.indexOf("?");
  if (start === -1) return false;
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    if (isCredential(name, value)) return true;
  }
  return false;
}
