import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, keycloak } from "../../../src/index.js";
import { startServer, type TestServer } from "../../helpers/http-server.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

const ISS = "https://sso.example.com/realms/acme";
const JWKS = "https://sso.example.com/realms/acme/protocol/openid-connect/certs";

// A Keycloak access token with an audience mapper adding orders-api.
function accessToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return freshen({
    exp: 1735686300,
    iat: 1735686000,
    auth_time: 1735686000,
    jti: "onrtac:6f1c2d3e-example",
    iss: ISS,
    aud: ["orders-api", "account"],
    sub: "f3b2a1c0-1111-2222-3333-444455556666",
    typ: "Bearer",
    azp: "orders-web",
    sid: "0a1b2c3d-example",
    acr: "1",
    "allowed-origins": ["https://orders.example.com"],
    realm_access: { roles: ["offline_access", "default-roles-acme", "manager"] },
    resource_access: {
      "orders-api": { roles: ["orders:approve"] },
      account: { roles: ["manage-account", "view-profile"] },
    },
    scope: "openid profile email",
    email_verified: true,
    preferred_username: "jane",
    ...overrides,
  });
}

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

const sign = (claims: Record<string, unknown>) => signToken(key, claims, { typ: "JWT" });

describe("keycloak preset", () => {
  it("builds <baseUrl>/realms/<realm> with keys at /protocol/openid-connect/certs", () => {
    const policy = keycloak({ baseUrl: "https://sso.example.com", realm: "acme", audience: "orders-api" });
    expect([policy.issuer, policy.jwksUri]).toEqual([ISS, JWKS]);
  });

  it("keeps a /auth prefix (Keycloak 16 and older) and drops a trailing slash", () => {
    for (const baseUrl of ["https://sso.example.com/auth", "https://sso.example.com/auth/", "https://sso.example.com/auth//"]) {
      const policy = keycloak({ baseUrl, realm: "acme", audience: "orders-api" });
      expect([policy.issuer, policy.jwksUri]).toEqual([
        "https://sso.example.com/auth/realms/acme",
        "https://sso.example.com/auth/realms/acme/protocol/openid-connect/certs",
      ]);
    }
    expect(keycloak({ baseUrl: "https://sso.example.com/", realm: "acme", audience: "orders-api" }).issuer).toBe(ISS);
    expect(keycloak({ baseUrl: "https://sso.example.com:8443", realm: "acme", audience: "orders-api" }).issuer).toBe(
      "https://sso.example.com:8443/realms/acme",
    );
  });

  for (const crypto of BACKENDS) {
    it(`verifies an access token: realm roles and the named client's roles, scopes from scope (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [JWKS]: jwksOf(key) });
      const verifier = createVerifier({
        crypto,
        fetchJson: fetcher.fetchJson,
        issuers: [keycloak({ baseUrl: "https://sso.example.com", realm: "acme", audience: "orders-api", clientId: "orders-api" })],
      });
      const verified = await verifier.verify(await sign(accessToken()));
      expect(fetcher.requests).toEqual([JWKS]);
      expect(verified.scopes).toEqual(["openid", "profile", "email"]);
      // The account client's roles are not read: only the client named in clientId.
      expect(verified.roles).toEqual(["offline_access", "default-roles-acme", "manager", "orders:approve"]);
    });
  }

  it("reads realm roles only when no clientId is set", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson,
      issuers: [keycloak({ baseUrl: "https://sso.example.com", realm: "acme", audience: "orders-api" })],
    });
    expect((await verifier.verify(await sign(accessToken()))).roles).toEqual(["offline_access", "default-roles-acme", "manager"]);
  });

  it("adds clientId to resourceAccessClients the user already listed", () => {
    const policy = keycloak({
      baseUrl: "https://sso.example.com",
      realm: "acme",
      audience: "orders-api",
      clientId: "orders-api",
      resourceAccessClients: ["billing"],
    });
    expect(policy.resourceAccessClients).toEqual(["billing", "orders-api"]);
  });

  it("refuses a token whose aud is only Keycloak's default account (no audience mapper) with audience_mismatch", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson,
      issuers: [keycloak({ baseUrl: "https://sso.example.com", realm: "acme", audience: "orders-api" })],
    });
    await rejection(verifier.verify(await sign(accessToken({ aud: "account" }))), "audience_mismatch");
  });

  it("refuses a token from another realm of the same server (issuer_untrusted)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson,
      issuers: [keycloak({ baseUrl: "https://sso.example.com", realm: "acme", audience: "orders-api" })],
    });
    await rejection(verifier.verify(await sign(accessToken({ iss: "https://sso.example.com/realms/master" }))), "issuer_untrusted");
  });
});

describe("keycloak preset: a local Keycloak over http on loopback", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("fetches the realm's certs over real HTTP from 127.0.0.1 and verifies", async () => {
    server = await startServer();
    server.json("/realms/dev/protocol/openid-connect/certs", jwksOf(key));
    const policy = keycloak({ baseUrl: server.origin, realm: "dev", audience: "orders-api", clientId: "orders-api" });
    expect(policy.issuer).toBe(`${server.origin}/realms/dev`);
    const verifier = createVerifier({ issuers: [policy] });
    const verified = await verifier.verify(await sign(accessToken({ iss: `${server.origin}/realms/dev` })));
    expect(verified.roles).toContain("orders:approve");
    expect(server.count("/realms/dev/protocol/openid-connect/certs")).toBe(1);
  });
});

describe("keycloak preset: configuration errors", () => {
  it("requires an absolute baseUrl without query or fragment (keycloak.baseUrl)", () => {
    configError(() => keycloak({ realm: "acme", audience: "orders-api" } as unknown as Parameters<typeof keycloak>[0]), "keycloak.baseUrl");
    configError(() => keycloak({ baseUrl: "sso.example.com", realm: "acme", audience: "orders-api" }), "keycloak.baseUrl");
    configError(() => keycloak({ baseUrl: "https://sso.example.com/?x=1", realm: "acme", audience: "orders-api" }), "keycloak.baseUrl");
    configError(() => keycloak({ baseUrl: "https://sso.example.com/#top", realm: "acme", audience: "orders-api" }), "keycloak.baseUrl");
  });

  it("requires the realm name, not a path (keycloak.realm)", () => {
    configError(() => keycloak({ baseUrl: "https://sso.example.com", realm: "", audience: "orders-api" }), "keycloak.realm");
    configError(() => keycloak({ baseUrl: "https://sso.example.com", realm: "realms/acme", audience: "orders-api" }), "keycloak.realm");
  });

  it("requires the audience your audience mapper adds (keycloak.audience)", () => {
    configError(() => keycloak({ baseUrl: "https://sso.example.com", realm: "acme" } as unknown as Parameters<typeof keycloak>[0]), "keycloak.audience");
  });

  it("refuses plain http to a non-loopback Keycloak when the verifier is built (issuers[0].jwksUri)", () => {
    const policy = keycloak({ baseUrl: "http://sso.example.com", realm: "acme", audience: "orders-api" });
    const error = configError(() => createVerifier({ issuers: [policy] }), "issuers[0].jwksUri");
    expect(error.message).toContain("https");
  });
});
