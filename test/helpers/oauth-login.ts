import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { deadlineSignal } from "./deadline.js";

/**
 * An OAuth client of the authorization-code flow with PKCE, as an MCP client application holds
 * one: it registers itself dynamically, keeps its tokens in memory, and "opens the browser" by
 * signing in headlessly (see signIn). `authorizationCode` resolves once the redirect came back.
 */
export class HeadlessLoginProvider implements OAuthClientProvider {
  private client: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";
  private resolveCode: (code: string) => void = () => undefined;
  private rejectCode: (error: unknown) => void = () => undefined;
  /** The code the authorization server redirected back with. */
  readonly authorizationCode: Promise<string>;
  /** Every authorization URL the SDK opened. */
  readonly opened: URL[] = [];

  constructor(
    readonly redirectUrl: string,
    private readonly login: string,
  ) {
    this.authorizationCode = new Promise((resolve, reject) => {
      this.resolveCode = resolve;
      this.rejectCode = reject;
    });
    this.authorizationCode.catch(() => undefined);
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "headless e2e client",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  redirectToAuthorization(url: URL) {
    this.opened.push(url);
    signIn(url, this.redirectUrl, this.login).then(this.resolveCode, this.rejectCode);
  }
}

/**
 * Plays the user's browser on oidc-provider's development pages: follows redirects with a
 * cookie jar, fills the login form with `login`, confirms consent, and returns the `code` of the
 * final redirect to `redirectUrl` (which is never fetched).
 */
export async function signIn(authorizationUrl: URL, redirectUrl: string, login: string): Promise<string> {
  const cookies = new Map<string, string>();
  let next: { url: string; init?: RequestInit } = { url: authorizationUrl.href };
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: "manual",
      headers: {
        ...(next.init?.headers as Record<string, string> | undefined),
        cookie: cookieHeader(cookies),
      },
      signal: deadlineSignal(`sign-in step ${step} (${next.url})`),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      if (at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (location !== null) {
      const target = new URL(location, next.url);
      if (target.href.startsWith(redirectUrl)) {
        const code = target.searchParams.get("code");
        if (code === null) throw new Error(`redirected without a code: ${target.href}`);
        return code;
      }
      await response.body?.cancel();
      next = { url: target.href };
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined)
      throw new Error(`sign-in page without a form (HTTP ${response.status}): ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const [, name = "", value = ""] of html.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)"/g,
    )) {
      fields.set(name, value);
    }
    if (html.includes('name="login"')) {
      fields.set("login", login);
      fields.set("password", "any");
    }
    next = {
      url: new URL(action, next.url).href,
      init: {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: fields.toString(),
      },
    };
  }
  throw new Error("sign-in did not reach the redirect within 12 steps");
}

function cookieHeader(cookies: ReadonlyMap<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
}
