/** What this server needs from the authorization server's metadata. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
}

const MAX_METADATA_BYTES = 256 * 1024;

/**
 * Where the metadata of `issuer` may live, in the order clients look: RFC 8414 (path inserted
 * after /.well-known/), then OpenID Connect Discovery (path inserted, then appended).
 */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, "");
  const candidates = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
  ];
  if (path !== "") candidates.push(`${url.origin}${path}/.well-known/openid-configuration`);
  return candidates.map((candidate) => new URL(candidate));
}

/**
 * Fetches the authorization server's metadata and checks that it speaks for `issuer` (RFC 8414
 * §3.3: the `issuer` in the document must be identical), returning its `jwks_uri`.
 */
export async function discoverIssuer(
  issuer: string,
  options: { timeoutMs: number },
): Promise<IssuerMetadata> {
  const tried: string[] = [];
  for (const url of metadataUrls(issuer)) {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status === 404 || response.status === 405) {
      await response.body?.cancel();
      tried.push(`${url.href} (${response.status})`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`authorization server metadata at ${url.href} answered HTTP ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_METADATA_BYTES)
      throw new Error(`authorization server metadata at ${url.href} is too large`);
    return checkMetadata(issuer, url, JSON.parse(text) as unknown);
  }
  throw new Error(`no authorization server metadata for ${issuer}: tried ${tried.join(", ")}`);
}

function checkMetadata(issuer: string, url: URL, document: unknown): IssuerMetadata {
  if (typeof document !== "object" || document === null) {
    throw new Error(`authorization server metadata at ${url.href} is not a JSON object`);
  }
  const { issuer: claimed, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown };
  if (claimed !== issuer) {
    throw new Error(
      `authorization server metadata at ${url.href} names issuer ${JSON.stringify(claimed)}, not ${JSON.stringify(issuer)} (AUTH_ISSUER must match it exactly)`,
    );
  }
  if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
    throw new Error(`authorization server metadata at ${url.href} has no usable jwks_uri`);
  }
  return { issuer, jwksUri };
}
