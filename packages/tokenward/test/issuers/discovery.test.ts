import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier, type JwksOptions } from "../../src/index.js";
import { discoveryUrls } from "../../src/issuers/discovery.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, failing, refusal, sleep } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

describe("discoveryUrls: where an issuer's metadata is looked for", () => {
  it("appends /.well-known/openid-configuration to the issuer (OpenID Connect Discovery 1.0 §4), then tries RFC 8414", () => {
    expect(discoveryUrls("https://example.com")).toEqual([
      "https://example.com/.well-known/openid-configuration",
      "https://example.com/.well-known/oauth-authorization-server",
    ]);
  });

  it("removes a terminating slash before appending (OIDC Discovery §4.1) and before inserting (RFC 8414 §3.1)", () => {
    expect(discoveryUrls("https://example.com/")).toEqual([
      "https://example.com/.well-known/openid-configuration",
      "https://example.com/.well-known/oauth-authorization-server",
    ]);
    expect(discoveryUrls("https://example.com/realms/x/")).toEqual([
      "https://example.com/realms/x/.well-known/openid-configuration",
      "https://example.com/.well-known/oauth-authorization-server/realms/x",
    ]);
  });

  it("inserts the RFC 8414 well-known segment between the host and the issuer's path (RFC 8414 §3.1)", () => {
    expect(discoveryUrls("https://example.com/tenant/a")).toEqual([
      "https://example.com/tenant/a/.well-known/openid-configuration",
      "https://example.com/.well-known/oauth-authorization-server/tenant/a",
    ]);
    expect(discoveryUrls("http://127.0.0.1:9000/realms/demo")).toEqual([
      "http://127.0.0.1:9000/realms/demo/.well-known/openid-configuration",
      "http://127.0.0.1:9000/.well-known/oauth-authorization-server/realms/demo",
    ]);
  });
});

describe("discovery through a real metadata endpoint", () => {
  let server: TestServer;
  let key: TestKey;
  beforeEach(async () => {
    server = await startServer();
    key = await generateKey("ES256", "discovered");
    server.json("/keys", jwksOf(key));
  });
  afterEach(async () => {
    await server.close();
  });

  function verifierFor(issuer: string, jwks: JwksOptions = {}, crypto: (typeof BACKENDS)[number] = "node") {
    return createVerifier({ crypto, issuers: [{ issuer, audience: AUDIENCE }], jwks });
  }

  async function tokenFor(issuer: string, signer: TestKey = key): Promise<string> {
    return signToken(signer, accessClaims({ iss: issuer }));
  }

  for (const crypto of BACKENDS) {
    it(`without jwksUri, fetches <issuer>/.well-known/openid-configuration and uses its jwks_uri (${crypto})`, async () => {
      const issuer = server.origin;
      server.json("/.well-known/openid-configuration", { issuer, jwks_uri: `${server.origin}/keys` });
      const verified = await verifierFor(issuer, {}, crypto).verify(await tokenFor(issuer));
      expect(verified.issuer.issuer).toBe(issuer);
      expect(server.count("/.well-known/openid-configuration")).toBe(1);
      expect(server.count("/keys")).toBe(1);
    });
  }

  it("falls back to RFC 8414 metadata, with the well-known segment inserted before the issuer's path, when OIDC answers 404", async () => {
    const issuer = `${server.origin}/tenant/a`;
    server.json("/.well-known/oauth-authorization-server/tenant/a", { issuer, jwks_uri: `${server.origin}/keys` });
    await verifierFor(issuer).verify(await tokenFor(issuer));
    // The OIDC location was tried first and answered 404 (the server routes nothing there).
    expect(server.count("/tenant/a/.well-known/openid-configuration")).toBe(1);
    expect(server.count("/.well-known/oauth-authorization-server/tenant/a")).toBe(1);
    expect(server.count("/keys")).toBe(1);
  });

  it("refuses metadata whose issuer differs by a trailing slash, with a hint that says so", async () => {
    const issuer = server.origin;
    server.json("/.well-known/openid-configuration", { issuer: `${issuer}/`, jwks_uri: `${server.origin}/keys` });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.hint).toContain("differs only by a trailing slash (the metadata has one, the configuration does not)");
    expect(error.hint).toContain(`names issuer "${issuer}/"`);
    expect(error.hint).toContain("OpenID Connect Discovery §4.3");
    expect(server.count("/keys")).toBe(0);
  });

  it("refuses metadata without the trailing slash the configured issuer has, and says which side has it", async () => {
    const issuer = `${server.origin}/`;
    server.json("/.well-known/openid-configuration", { issuer: server.origin, jwks_uri: `${server.origin}/keys` });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("differs only by a trailing slash (the configuration has one, the metadata does not)");
    expect(server.count("/keys")).toBe(0);
  });

  it("refuses metadata naming another issuer altogether, and fetches none of its keys", async () => {
    const issuer = `${server.origin}/tenant/a`;
    server.json("/tenant/a/.well-known/openid-configuration", { issuer: "https://attacker.example.com", jwks_uri: `${server.origin}/keys` });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain('names issuer "https://attacker.example.com"');
    expect(server.count("/keys")).toBe(0);
  });

  it("refuses a jwks_uri that is plain http on a non-loopback host", async () => {
    const issuer = server.origin;
    server.json("/.well-known/openid-configuration", { issuer, jwks_uri: "http://keys.example.com/jwks" });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain('jwks_uri "http://keys.example.com/jwks", which is refused');
    expect(error.hint).toContain("non-loopback");
  });

  it("refuses metadata without a jwks_uri, and says to configure jwksUri", async () => {
    const issuer = server.origin;
    server.json("/.well-known/openid-configuration", { issuer });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("has no jwks_uri; configure jwksUri");
  });

  it("reports every location tried when discovery fails, with what each answered", async () => {
    const issuer = `${server.origin}/tenant/a`;
    server.route("/.well-known/oauth-authorization-server/tenant/a", failing(500));
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.hint).toContain(`${issuer}/.well-known/openid-configuration: it answered HTTP 404`);
    expect(error.hint).toContain(`${server.origin}/.well-known/oauth-authorization-server/tenant/a: it answered HTTP 500`);
  });

  it("does not follow a redirect from the metadata URL", async () => {
    const issuer = server.origin;
    server.route("/.well-known/openid-configuration", (_request, response) => {
      response.writeHead(301, { location: "/moved" }).end();
    });
    server.json("/moved", { issuer, jwks_uri: `${server.origin}/keys` });
    const error = await refusal(verifierFor(issuer).verify(await tokenFor(issuer)));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("redirects are not followed");
    expect(server.count("/moved")).toBe(0);
  });

  it("uses discoveryUrl when given instead of deriving it from the issuer", async () => {
    const issuer = "https://login.example.com/realm";
    server.json("/custom/metadata", { issuer, jwks_uri: `${server.origin}/keys` });
    const verifier = createVerifier({ issuers: [{ issuer, audience: AUDIENCE, discoveryUrl: `${server.origin}/custom/metadata` }] });
    await verifier.verify(await tokenFor(issuer));
    expect(server.count("/custom/metadata")).toBe(1);
  });

  it("caches the discovered jwks_uri: a later JWKS refetch (a new kid) does not fetch the metadata again", async () => {
    const issuer = server.origin;
    server.json("/.well-known/openid-configuration", { issuer, jwks_uri: `${server.origin}/keys` });
    const verifier = verifierFor(issuer, { cooldownMs: 50 });
    const token = await tokenFor(issuer);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(server.count("/.well-known/openid-configuration")).toBe(1);
    expect(server.count("/keys")).toBe(1);

    const next = await generateKey("ES256", "next");
    server.json("/keys", jwksOf(key, next));
    await sleep(70);
    await verifier.verify(await tokenFor(issuer, next));
    expect(server.count("/keys")).toBe(2);
    expect(server.count("/.well-known/openid-configuration")).toBe(1);
  });

  it("concurrent first verifications share one discovery and one JWKS request", async () => {
    const issuer = server.origin;
    server.route("/.well-known/openid-configuration", async (_request, response) => {
      await sleep(30);
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer, jwks_uri: `${server.origin}/keys` }));
    });
    const verifier = verifierFor(issuer);
    const token = await tokenFor(issuer);
    await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    expect(server.count("/.well-known/openid-configuration")).toBe(1);
    expect(server.count("/keys")).toBe(1);
  });
});
