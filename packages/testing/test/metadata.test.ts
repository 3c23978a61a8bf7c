// What the mock serves to anyone: OpenID Connect Discovery and RFC 8414
// metadata at every URL a client derives from the issuer, and a JWKS of
// public keys only.
import { describe, expect, it } from "vitest";
import { createMockIssuer, MOCK_ALGORITHMS } from "../src/index.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("metadata", () => {
  const shapes: [string, string, string][] = [
    // path, OIDC (append, §4), RFC 8414 (insert, §3.1)
    ["", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"],
    ["/realms/demo", "/realms/demo/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/realms/demo"],
    ["/", "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"],
    ["/tenant/v2.0/", "/tenant/v2.0/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/tenant/v2.0"],
  ];
  for (const [path, oidc, rfc8414] of shapes) {
    it(`issuer path ${JSON.stringify(path)}: ${oidc} and ${rfc8414} name the issuer exactly`, async () => {
      await using issuer = await createMockIssuer({ path, clients: [{ clientId: "a", clientSecret: "b", scopes: ["write", "read"] }] });
      expect(issuer.endpoints.openidConfiguration).toBe(`${issuer.url}${oidc}`);
      expect(issuer.endpoints.authorizationServerMetadata).toBe(`${issuer.url}${rfc8414}`);
      for (const url of [issuer.endpoints.openidConfiguration, issuer.endpoints.authorizationServerMetadata]) {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe("application/json");
        expect(await response.json()).toEqual({
          issuer: issuer.issuer,
          jwks_uri: issuer.jwksUri,
          token_endpoint: issuer.endpoints.token,
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          grant_types_supported: ["client_credentials"],
          response_types_supported: [],
          scopes_supported: ["read", "write"],
          introspection_endpoint: issuer.endpoints.introspection,
          introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          revocation_endpoint: issuer.endpoints.revocation,
          revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        });
      }
      expect(issuer.requestCount("metadata")).toBe(2);
    });
  }

  it("HEAD answers without a body, POST is 405, unknown paths 404", async () => {
    await using issuer = await createMockIssuer();
    const head = await fetch(issuer.endpoints.openidConfiguration, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(issuer.jwksUri, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await fetch(`${issuer.url}/.well-known/other`)).status).toBe(404);
  });
});

describe("the JWKS", () => {
  it("publishes public keys only, each with kid, alg and use sig; Cache-Control max-age 300 and CORS by default", async () => {
    await using issuer = await createMockIssuer({ algorithms: [...MOCK_ALGORITHMS] });
    const response = await fetch(issuer.jwksUri);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const document = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(document).toEqual(issuer.jwks());
    expect(document.keys.map((key) => key.alg)).toEqual([...MOCK_ALGORITHMS]);
    for (const key of document.keys) {
      expect(key).toMatchObject({ use: "sig", kid: expect.any(String) });
      for (const member of PRIVATE_MEMBERS) expect(key, `${String(key.alg)} ${member}`).not.toHaveProperty(member);
    }
    expect(new Set(document.keys.map((key) => key.kid)).size).toBe(MOCK_ALGORITHMS.length);
  });

  it("jwksMaxAge sets max-age, null sends no Cache-Control", async () => {
    await using short = await createMockIssuer({ jwksMaxAge: 5 });
    expect((await fetch(short.jwksUri)).headers.get("cache-control")).toBe("public, max-age=5");
    await using none = await createMockIssuer({ jwksMaxAge: null });
    expect((await fetch(none.jwksUri)).headers.get("cache-control")).toBeNull();
  });

  it("jwks() is a copy: changing it changes nothing served", async () => {
    await using issuer = await createMockIssuer();
    const copy = issuer.jwks() as unknown as { keys: Record<string, unknown>[] };
    (copy.keys[0] as Record<string, unknown>).kid = "changed";
    expect(((await (await fetch(issuer.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0]?.kid).not.toBe("changed");
  });
});
