import { beforeAll, describe, expect, it } from "vitest";
import { auth0, createVerifier } from "../../../src/index.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// From the provider seed (Auth0 section).
const SEED_AUDIENCE = "https://your-api.example.com";
const SEED_ISS = "https://your-tenant.auth0.com/";
const SEED_JWKS = "https://your-tenant.auth0.com/.well-known/jwks.json";
const SEED_TOKEN = {
  sub: "auth0|1234567890",
  iss: SEED_ISS,
  aud: "https://your-api.example.com",
  scope: "openid profile email read:data",
  azp: "client-id",
  exp: 1735689600,
  iat: 1735686000,
};

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

const sign = (claims: Record<string, unknown>) => signToken(key, claims, { typ: "at+jwt" });

describe("auth0 preset: the seed's tenant", () => {
  it("builds the issuer with its trailing slash and the JWKS URL exactly as the seed lists them", () => {
    const policy = auth0({ domain: "your-tenant.auth0.com", audience: SEED_AUDIENCE });
    expect(policy.issuer).toBe(SEED_ISS);
    expect(policy.jwksUri).toBe(SEED_JWKS);
    expect(policy.audience).toBe(SEED_AUDIENCE);
  });

  for (const crypto of BACKENDS) {
    it(`verifies the seed's access token, fetching exactly the seed's JWKS URL (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [auth0({ domain: "your-tenant.auth0.com", audience: SEED_AUDIENCE })] });
      const verified = await verifier.verify(await sign(freshen(SEED_TOKEN)));
      expect(fetcher.requests).toEqual([SEED_JWKS]);
      expect(verified.issuer.issuer).toBe(SEED_ISS);
      expect(verified.scopes).toEqual(["openid", "profile", "email", "read:data"]);
      expect(verified.permissions).toEqual([]);
      expect(verified.subject).toBe("auth0|1234567890");
    });
  }

  it("reads RBAC permissions from the permissions claim, and roles only from a namespaced claim you name", async () => {
    const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({
      fetchJson: fetcher.fetchJson,
      issuers: [auth0({ domain: "your-tenant.auth0.com", audience: SEED_AUDIENCE, roleClaims: ["https://your-app.example.com/roles"] })],
    });
    const verified = await verifier.verify(
      await sign(freshen({ ...SEED_TOKEN, permissions: ["read:data", "write:data"], "https://your-app.example.com/roles": ["editor"] })),
    );
    expect(verified.scopes).toEqual(["openid", "profile", "email", "read:data"]);
    expect(verified.permissions).toEqual(["read:data", "write:data"]);
    expect(verified.roles).toEqual(["editor"]);
  });

  it("refuses a token whose iss lacks Auth0's trailing slash, with a hint naming the slash", async () => {
    const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [auth0({ domain: "your-tenant.auth0.com", audience: SEED_AUDIENCE })] });
    const error = await rejection(verifier.verify(await sign(freshen({ ...SEED_TOKEN, iss: "https://your-tenant.auth0.com" }))), "issuer_untrusted");
    expect(error.hint).toContain("trailing slash");
    expect(fetcher.requests).toEqual([]);
  });

  it("refuses a token for another API of the same tenant (audience_mismatch)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [auth0({ domain: "your-tenant.auth0.com", audience: SEED_AUDIENCE })],
    });
    await rejection(verifier.verify(await sign(freshen({ ...SEED_TOKEN, aud: "https://other-api.example.com" }))), "audience_mismatch");
    // Auth0 sends aud as an array when openid was asked for with an API audience.
    const verified = await verifier.verify(await sign(freshen({ ...SEED_TOKEN, aud: [SEED_AUDIENCE, "https://your-tenant.auth0.com/userinfo"] })));
    expect(verified.claims.aud).toEqual([SEED_AUDIENCE, "https://your-tenant.auth0.com/userinfo"]);
  });
});

describe("auth0 preset: regional tenants and custom domains", () => {
  const cases = [
    ["US region", "your-tenant.us.auth0.com", "https://your-tenant.us.auth0.com/", "https://your-tenant.us.auth0.com/.well-known/jwks.json"],
    ["EU region", "your-tenant.eu.auth0.com", "https://your-tenant.eu.auth0.com/", "https://your-tenant.eu.auth0.com/.well-known/jwks.json"],
    ["Australia region", "your-tenant.au.auth0.com", "https://your-tenant.au.auth0.com/", "https://your-tenant.au.auth0.com/.well-known/jwks.json"],
    ["custom domain", "login.yourdomain.com", "https://login.yourdomain.com/", "https://login.yourdomain.com/.well-known/jwks.json"],
  ] as const;
  for (const [label, domain, issuer, jwksUri] of cases) {
    it(`builds the seed's ${label} issuer ${issuer} and verifies its tokens with keys from ${jwksUri}`, async () => {
      const policy = auth0({ domain, audience: SEED_AUDIENCE });
      expect([policy.issuer, policy.jwksUri]).toEqual([issuer, jwksUri]);
      const fetcher = recordingFetcher({ [jwksUri]: jwksOf(key) });
      const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policy] });
      const verified = await verifier.verify(await sign(freshen({ ...SEED_TOKEN, iss: issuer })));
      expect(verified.issuer.issuer).toBe(issuer);
      expect(fetcher.requests).toEqual([jwksUri]);
    });
  }

  it("accepts the domain pasted as a URL, with or without the trailing slash", () => {
    for (const domain of ["https://your-tenant.auth0.com", "https://your-tenant.auth0.com/", " your-tenant.auth0.com "]) {
      expect(auth0({ domain, audience: SEED_AUDIENCE }).issuer).toBe(SEED_ISS);
    }
  });
});

describe("auth0 preset: configuration errors", () => {
  it("requires the domain (auth0.domain)", () => {
    configError(() => auth0({ audience: SEED_AUDIENCE } as unknown as Parameters<typeof auth0>[0]), "auth0.domain");
    configError(() => auth0({ domain: "", audience: SEED_AUDIENCE }), "auth0.domain");
  });

  it("refuses a domain with a path or over http (auth0.domain)", () => {
    const error = configError(() => auth0({ domain: "https://your-tenant.auth0.com/.well-known/jwks.json", audience: SEED_AUDIENCE }), "auth0.domain");
    expect(error.message).toContain("your-tenant.auth0.com");
    configError(() => auth0({ domain: "http://your-tenant.auth0.com", audience: SEED_AUDIENCE }), "auth0.domain");
  });

  it("requires the API identifier as audience (auth0.audience)", () => {
    configError(() => auth0({ domain: "your-tenant.auth0.com" } as unknown as Parameters<typeof auth0>[0]), "auth0.audience");
    configError(() => auth0({ domain: "your-tenant.auth0.com", audience: "" }), "auth0.audience");
  });
});
