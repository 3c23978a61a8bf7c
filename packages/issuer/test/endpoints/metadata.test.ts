// RFC 8414 metadata and the JWKS over real HTTP, for an issuer at the root
// and one with a path (RFC 8414 §3.1 path insertion).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningIssuer, startIssuer } from "../helpers/issuer.js";

describe.each([
  ["an issuer at the root", ""],
  ["an issuer with a path", "/tenants/acme"],
])("%s", (_name, path) => {
  let running: RunningIssuer;
  beforeAll(async () => {
    running = await startIssuer({ path });
  });
  afterAll(async () => {
    await running.close();
  });

  it("serves the same document at every URL clients derive from the issuer", async () => {
    const urls = [
      `${running.origin}/.well-known/oauth-authorization-server${path}`,
      `${running.issuerId}/.well-known/openid-configuration`,
      `${running.issuerId}/.well-known/oauth-authorization-server`,
      `${running.origin}/.well-known/openid-configuration${path}`,
    ];
    const documents = await Promise.all(
      urls.map(async (url) => {
        const response = await fetch(url);
        expect(response.status, url).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        return response.json();
      }),
    );
    for (const document of documents) expect(document).toEqual(documents[0]);
  });

  it("is exact about issuer and endpoints", async () => {
    const metadata = (await (await fetch(`${running.origin}/.well-known/oauth-authorization-server${path}`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: running.issuerId,
      token_endpoint: `${running.issuerId}/oauth/token`,
      jwks_uri: `${running.issuerId}/.well-known/jwks.json`,
      introspection_endpoint: `${running.issuerId}/oauth/introspect`,
      revocation_endpoint: `${running.issuerId}/oauth/revoke`,
      grant_types_supported: ["client_credentials"],
      response_types_supported: [],
    });
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_basic", "client_secret_post", "private_key_jwt"]));
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(["ES256", "RS256", "EdDSA"]));
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).not.toContain("none");
    expect(metadata.scopes_supported).toEqual(["admin", "read:data", "write:data"]);
  });

  it("publishes public keys only, with cache headers", async () => {
    const response = await fetch(`${running.issuerId}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key).not.toHaveProperty(secret);
      expect(key).toMatchObject({ alg: "ES256", use: "sig" });
      expect(typeof key.kid).toBe("string");
    }
  });

  it("answers unknown paths 404 in JSON, and never with a 500", async () => {
    const response = await fetch(`${running.origin}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found" });
  });
});
