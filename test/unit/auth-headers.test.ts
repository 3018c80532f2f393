import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { wwwAuthenticate } from "../../src/auth/challenge.js";
import { hasQueryCredential } from "../../src/auth/query-credentials.js";

describe("WWW-Authenticate", () => {
  it("has no error code without credentials, and points OAuth clients at the metadata", () => {
    assert.equal(wwwAuthenticate({ resourceMetadataUrl: undefined }), "Bearer");
    assert.equal(
      wwwAuthenticate({
        resourceMetadataUrl: "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
      }),
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp"',
    );
  });

  it("quotes the description safely: no header injection, no broken quoting", () => {
    const header = wwwAuthenticate(
      { resourceMetadataUrl: undefined },
      { code: "invalid_token", description: 'bad "token"\r\nSet-Cookie: x=1 \\ end' },
    );
    assert.equal(
      header,
      'Bearer error="invalid_token", error_description="bad \\"token\\"  Set-Cookie: x=1 \\\\ end"',
    );
    assert.doesNotMatch(header, /[\r\n]/);
  });
});

describe("credentials in the query string", () => {
  it("are found by name or by shape", () => {
    assert.equal(hasQueryCredential("/mcp"), false);
    assert.equal(hasQueryCredential("/mcp?session=1"), false);
    assert.equal(hasQueryCredential("/mcp?access_token=abc"), true);
    assert.equal(hasQueryCredential("/mcp?API_KEY=abc"), true);
    assert.equal(hasQueryCredential("/mcp?x=rmcp_kaaaaaaaaaa_secret"), true);
    assert.equal(hasQueryCredential("/mcp?t=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"), true);
  });
});
