import type { JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, entra } from "../../../src/index.js";
import { generateKey, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// From the provider seed (Microsoft Entra section).
const TID = "12345678-1234-1234-1234-123456789012";
const V2_AUDIENCE = "api://abcdefgh-1234-1234-1234-123456789012";
const V1_AUDIENCE = "https://your-api.example.com";
const V2_ISS = `https://login.microsoftonline.com/${TID}/v2.0`;
const V2_JWKS = `https://login.microsoftonline.com/${TID}/discovery/v2.0/keys`;
const V1_ISS = `https://sts.windows.net/${TID}/`;
const V1_JWKS = `https://login.microsoftonline.com/${TID}/discovery/keys`;
const COMMON_ISS = "https://login.microsoftonline.com/{tenantid}/v2.0";
const COMMON_JWKS = "https://login.microsoftonline.com/common/discovery/v2.0/keys";
const SEED_TOKEN = {
  sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
  iss: V2_ISS,
  aud: "api://abcdefgh-1234-1234-1234-123456789012",
  scp: "user.read email profile",
  roles: ["Admin", "User"],
  tid: TID,
  exp: 1735689600,
  iat: 1735686000,
  nbf: 1735686000,
};

// Another work tenant, and the Microsoft account (personal accounts) tenant.
const OTHER = "87654321-4321-4321-4321-210987654321";
const CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad";

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

// Entra signs with RS256, typ "JWT"; its keys name no alg and, on the v2.0
// endpoints, carry the issuer they sign for.
const sign = (claims: Record<string, unknown>, signer: TestKey = key) => signToken(signer, claims, { typ: "JWT" });
function entraJwk(signer: TestKey, issuer: string | undefined): JWK & { issuer?: string } {
  const { alg: _alg, ...jwk } = signer.jwk;
  return issuer === undefined ? jwk : { ...jwk, issuer };
}
const keysFor = (issuer: string | undefined, ...signers: TestKey[]) => ({ keys: (signers.length === 0 ? [key] : signers).map((s) => entraJwk(s, issuer)) });

function v2Token(tenant: string, overrides: Record<string, unknown> = {}, host = "login.microsoftonline.com"): Record<string, unknown> {
  return freshen({ ...SEED_TOKEN, iss: `https://${host}/${tenant}/v2.0`, tid: tenant, ...overrides });
}

function v1Token(tenant: string, overrides: Record<string, unknown> = {}, host = "sts.windows.net"): Record<string, unknown> {
  return freshen({
    aud: V1_AUDIENCE,
    iss: `https://${host}/${tenant}/`,
    iat: 1735686000,
    nbf: 1735686000,
    exp: 1735689600,
    appid: "11111111-2222-3333-4444-555555555555",
    scp: "user_impersonation",
    roles: ["Reader"],
    sub: "l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA",
    tid: tenant,
    ver: "1.0",
    ...overrides,
  });
}

describe("entra preset: v2.0 tokens from one tenant (the seed)", () => {
  it("builds the seed's v2.0 issuer and JWKS URL exactly", () => {
    const [policy, ...rest] = entra({ tenant: TID, audience: V2_AUDIENCE });
    expect(rest).toEqual([]);
    expect([policy?.issuer, policy?.jwksUri, policy?.audience]).toEqual([V2_ISS, V2_JWKS, V2_AUDIENCE]);
  });

  for (const crypto of BACKENDS) {
    it(`verifies the seed's token: scp string as scopes, roles as roles, keys from exactly the seed's JWKS URL (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [V2_JWKS]: keysFor(V2_ISS) });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: TID, audience: V2_AUDIENCE })] });
      const verified = await verifier.verify(await sign(freshen(SEED_TOKEN)));
      expect(fetcher.requests).toEqual([V2_JWKS]);
      expect(verified.issuer.issuer).toBe(V2_ISS);
      expect(verified.scopes).toEqual(["user.read", "email", "profile"]);
      expect(verified.roles).toEqual(["Admin", "User"]);
      expect(verified.tenant).toBeUndefined();
    });

    it(`refuses a token signed by a key whose published issuer names another tenant (${crypto})`, async () => {
      const stranger = await generateKey("RS256");
      const fetcher = recordingFetcher({
        [V2_JWKS]: { keys: [entraJwk(key, V2_ISS), entraJwk(stranger, `https://login.microsoftonline.com/${OTHER}/v2.0`)] },
      });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: TID, audience: V2_AUDIENCE })] });
      const error = await rejection(verifier.verify(await sign(freshen(SEED_TOKEN), stranger)), "key_not_found");
      expect(error.hint).toContain(OTHER);
      await expect(verifier.verify(await sign(freshen(SEED_TOKEN)))).resolves.toBeDefined();
    });
  }

  it("refuses a v1.0 token when only v2.0 is configured (issuer_untrusted)", async () => {
    const fetcher = recordingFetcher({ [V2_JWKS]: keysFor(V2_ISS) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: TID, audience: [V2_AUDIENCE, V1_AUDIENCE] })] });
    await rejection(verifier.verify(await sign(v1Token(TID))), "issuer_untrusted");
    expect(fetcher.requests).toEqual([]);
  });
});

describe("entra preset: v1.0 tokens", () => {
  it("builds the seed's v1.0 issuer on sts.windows.net, with its trailing slash, and keys at /discovery/keys", () => {
    const [policy] = entra({ tenant: TID, audience: V1_AUDIENCE, version: 1 });
    expect([policy?.issuer, policy?.jwksUri]).toEqual([V1_ISS, V1_JWKS]);
  });

  for (const crypto of BACKENDS) {
    it(`verifies a v1.0 token with keys from exactly the seed's v1 JWKS URL (${crypto})`, async () => {
      // The v1.0 keys endpoint publishes no issuer member.
      const fetcher = recordingFetcher({ [V1_JWKS]: keysFor(undefined) });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: TID, audience: V1_AUDIENCE, version: 1 })] });
      const verified = await verifier.verify(await sign(v1Token(TID)));
      expect(fetcher.requests).toEqual([V1_JWKS]);
      expect(verified.issuer.issuer).toBe(V1_ISS);
      expect(verified.scopes).toEqual(["user_impersonation"]);
      expect(verified.roles).toEqual(["Reader"]);
    });
  }

  it("accepts both versions with version [1, 2], each with keys from its own endpoint", async () => {
    const policies = entra({ tenant: TID, audience: [V2_AUDIENCE, V1_AUDIENCE], version: [1, 2] });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri])).toEqual([
      [V1_ISS, V1_JWKS],
      [V2_ISS, V2_JWKS],
    ]);
    const fetcher = recordingFetcher({ [V1_JWKS]: keysFor(undefined), [V2_JWKS]: keysFor(V2_ISS) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policies] });
    expect((await verifier.verify(await sign(v1Token(TID)))).issuer.issuer).toBe(V1_ISS);
    expect((await verifier.verify(await sign(freshen(SEED_TOKEN)))).issuer.issuer).toBe(V2_ISS);
    expect(fetcher.requests).toEqual([V1_JWKS, V2_JWKS]);
  });
});

describe("entra preset: multi-tenant apps (common, organizations)", () => {
  it("builds the {tenantid} template Entra's common metadata advertises, with the seed's common JWKS URL", () => {
    const [policy] = entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID] });
    expect([policy?.issuer, policy?.jwksUri, policy?.tenants]).toEqual([COMMON_ISS, COMMON_JWKS, [TID]]);
    const [v1] = entra({ tenant: "common", audience: V1_AUDIENCE, allowedTenants: [TID], version: 1 });
    expect([v1?.issuer, v1?.jwksUri]).toEqual(["https://sts.windows.net/{tenantid}/", "https://login.microsoftonline.com/common/discovery/keys"]);
  });

  for (const crypto of BACKENDS) {
    it(`accepts a token from an allowed tenant, checked against a key published for the {tenantid} template (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) });
      const verifier = createVerifier({
        crypto,
        fetchJson: fetcher.fetchJson,
        issuers: [entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID, OTHER] })],
      });
      const verified = await verifier.verify(await sign(v2Token(TID)));
      expect(verified.tenant).toBe(TID);
      expect(verified.issuer.issuer).toBe(COMMON_ISS);
      expect(verified.scopes).toEqual(["user.read", "email", "profile"]);
      expect(verified.roles).toEqual(["Admin", "User"]);
      expect((await verifier.verify(await sign(v2Token(OTHER)))).tenant).toBe(OTHER);
      expect(fetcher.requests).toEqual([COMMON_JWKS]);
    });

    it(`refuses a key whose published issuer names another tenant than the token's (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [COMMON_JWKS]: keysFor(`https://login.microsoftonline.com/${OTHER}/v2.0`) });
      const verifier = createVerifier({
        crypto,
        fetchJson: fetcher.fetchJson,
        issuers: [entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID, OTHER] })],
      });
      const error = await rejection(verifier.verify(await sign(v2Token(TID))), "key_not_found");
      expect(error.hint).toContain(`https://login.microsoftonline.com/${OTHER}/v2.0`);
      await expect(verifier.verify(await sign(v2Token(OTHER)))).resolves.toBeDefined();
    });
  }

  it("refuses a token whose tid differs from the tenant in iss (tenant_not_allowed)", async () => {
    const fetcher = recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) });
    const verifier = createVerifier({
      fetchJson: fetcher.fetchJson,
      issuers: [entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID, OTHER] })],
    });
    const error = await rejection(verifier.verify(await sign(v2Token(TID, { tid: OTHER }))), "tenant_not_allowed");
    expect(error.hint).toContain('"tid"');
    await rejection(verifier.verify(await sign(v2Token(TID, { tid: undefined }))), "tenant_not_allowed");
  });

  it("refuses a tenant that is not in allowedTenants before fetching any key (tenant_not_allowed)", async () => {
    const fetcher = recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID] })] });
    const error = await rejection(verifier.verify(await sign(v2Token(OTHER))), "tenant_not_allowed");
    expect(error.hint).toContain(OTHER);
    expect(fetcher.requests).toEqual([]);
  });

  it("refuses a token from another cloud's host even for an allowed tenant (issuer_untrusted)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) }).fetchJson,
      issuers: [entra({ tenant: "common", audience: V2_AUDIENCE, allowedTenants: [TID] })],
    });
    await rejection(verifier.verify(await sign(v2Token(TID, {}, "login.microsoftonline.us"))), "issuer_untrusted");
  });

  it("with organizations, refuses the personal-account tenant 9188040d-… even with dangerouslyAcceptAnyTenant", async () => {
    const policies = entra({ tenant: "organizations", audience: V2_AUDIENCE, dangerouslyAcceptAnyTenant: true });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri, policy.dangerouslyAcceptAnyTenant])).toEqual([[COMMON_ISS, COMMON_JWKS, true]]);
    const verifier = createVerifier({ fetchJson: recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) }).fetchJson, issuers: [policies] });
    const error = await rejection(verifier.verify(await sign(v2Token(CONSUMERS))), "tenant_not_allowed");
    expect(error.hint).toContain("personal Microsoft account");
    expect((await verifier.verify(await sign(v2Token(OTHER)))).tenant).toBe(OTHER);
  });

  it("with organizations and allowedTenants, refuses the personal-account tenant even if listed", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) }).fetchJson,
      issuers: [entra({ tenant: "organizations", audience: V2_AUDIENCE, allowedTenants: [TID, CONSUMERS] })],
    });
    await rejection(verifier.verify(await sign(v2Token(CONSUMERS))), "tenant_not_allowed");
    await expect(verifier.verify(await sign(v2Token(TID)))).resolves.toBeDefined();
  });

  it("keeps the organizations rule and still runs the user's own check", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [COMMON_JWKS]: keysFor(COMMON_ISS) }).fetchJson,
      issuers: [
        entra({
          tenant: "organizations",
          audience: V2_AUDIENCE,
          dangerouslyAcceptAnyTenant: true,
          check: ({ claims }) => (Array.isArray(claims.roles) && claims.roles.includes("Admin")) || "admins only",
        }),
      ],
    });
    await expect(verifier.verify(await sign(v2Token(OTHER)))).resolves.toBeDefined();
    const error = await rejection(verifier.verify(await sign(v2Token(OTHER, { roles: ["User"] }))), "claim_invalid");
    expect(error.hint).toBe("admins only");
    await rejection(verifier.verify(await sign(v2Token(CONSUMERS))), "tenant_not_allowed");
  });
});

describe("entra preset: personal accounts (consumers)", () => {
  it("trusts the Microsoft account tenant's issuer, with keys from the consumers endpoint", async () => {
    const issuer = `https://login.microsoftonline.com/${CONSUMERS}/v2.0`;
    const jwksUri = "https://login.microsoftonline.com/consumers/discovery/v2.0/keys";
    const [policy] = entra({ tenant: "consumers", audience: V2_AUDIENCE });
    expect([policy?.issuer, policy?.jwksUri]).toEqual([issuer, jwksUri]);
    const fetcher = recordingFetcher({ [jwksUri]: keysFor(issuer) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: "consumers", audience: V2_AUDIENCE })] });
    await expect(verifier.verify(await sign(v2Token(CONSUMERS)))).resolves.toBeDefined();
    await rejection(verifier.verify(await sign(v2Token(TID))), "issuer_untrusted");
    expect(fetcher.requests).toEqual([jwksUri]);
  });
});

describe("entra preset: national clouds", () => {
  const clouds = [
    {
      cloud: "usgov",
      version: 2,
      issuer: `https://login.microsoftonline.us/${TID}/v2.0`,
      jwksUri: `https://login.microsoftonline.us/${TID}/discovery/v2.0/keys`,
      token: () => v2Token(TID, {}, "login.microsoftonline.us"),
    },
    {
      cloud: "china",
      version: 2,
      issuer: `https://login.chinacloudapi.cn/${TID}/v2.0`,
      jwksUri: `https://login.chinacloudapi.cn/${TID}/discovery/v2.0/keys`,
      token: () => v2Token(TID, {}, "login.chinacloudapi.cn"),
    },
    {
      cloud: "china",
      version: 1,
      issuer: `https://sts.chinacloudapi.cn/${TID}/`,
      jwksUri: `https://login.chinacloudapi.cn/${TID}/discovery/keys`,
      token: () => v1Token(TID, { aud: V2_AUDIENCE }, "sts.chinacloudapi.cn"),
    },
  ] as const;

  for (const { cloud, version, issuer, jwksUri, token } of clouds) {
    it(`builds ${issuer} with keys at ${jwksUri} for cloud ${cloud}, v${version}.0, and verifies its tokens`, async () => {
      const [policy] = entra({ tenant: TID, audience: V2_AUDIENCE, cloud, version });
      expect([policy?.issuer, policy?.jwksUri]).toEqual([issuer, jwksUri]);
      const fetcher = recordingFetcher({ [jwksUri]: keysFor(version === 2 ? issuer : undefined) });
      const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [entra({ tenant: TID, audience: V2_AUDIENCE, cloud, version })] });
      const verified = await verifier.verify(await sign(token()));
      expect(verified.issuer.issuer).toBe(issuer);
      expect(fetcher.requests).toEqual([jwksUri]);
      // A global-cloud token for the same tenant is not trusted by a national-cloud policy.
      await rejection(verifier.verify(await sign(freshen(SEED_TOKEN))), "issuer_untrusted");
    });
  }

  it("in China also trusts v2.0 tokens from login.partner.microsoftonline.cn, verified with the same keys (one fetch)", async () => {
    const seedIssuer = `https://login.chinacloudapi.cn/${TID}/v2.0`;
    const partnerIssuer = `https://login.partner.microsoftonline.cn/${TID}/v2.0`;
    const jwksUri = `https://login.chinacloudapi.cn/${TID}/discovery/v2.0/keys`;
    const policies = entra({ tenant: TID, audience: V2_AUDIENCE, cloud: "china" });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri])).toEqual([
      [seedIssuer, jwksUri],
      [partnerIssuer, jwksUri],
    ]);
    // Entra keys name the issuer they sign for; here the set serves both hosts' tokens,
    // so the test publishes the key without that member.
    const fetcher = recordingFetcher({ [jwksUri]: keysFor(undefined) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policies] });
    expect((await verifier.verify(await sign(v2Token(TID, {}, "login.partner.microsoftonline.cn")))).issuer.issuer).toBe(partnerIssuer);
    expect((await verifier.verify(await sign(v2Token(TID, {}, "login.chinacloudapi.cn")))).issuer.issuer).toBe(seedIssuer);
    expect(fetcher.requests).toEqual([jwksUri]);
  });

  it("uses sts.windows.net for v1.0 tokens in Azure Government, and the .us host for keys", () => {
    const [policy] = entra({ tenant: TID, audience: V1_AUDIENCE, cloud: "usgov", version: 1 });
    expect([policy?.issuer, policy?.jwksUri]).toEqual([V1_ISS, `https://login.microsoftonline.us/${TID}/discovery/keys`]);
  });
});

describe("entra preset: configuration errors", () => {
  it("refuses a tenant given as a domain name, asking for the tenant id (entra.tenant)", () => {
    const error = configError(() => entra({ tenant: "contoso.onmicrosoft.com", audience: V2_AUDIENCE }), "entra.tenant");
    expect(error.message).toContain("contoso.onmicrosoft.com");
    expect(error.message).toContain("GUID");
  });

  it("refuses an uppercase tenant id, saying tokens carry it in lowercase (entra.tenant)", () => {
    const error = configError(() => entra({ tenant: "ABCDEF12-1234-1234-1234-123456789ABC", audience: V2_AUDIENCE }), "entra.tenant");
    expect(error.message).toContain("lowercase");
    expect(error.message).toContain("abcdef12-1234-1234-1234-123456789abc");
  });

  it("requires the tenant (entra.tenant)", () => {
    configError(() => entra({ audience: V2_AUDIENCE } as unknown as Parameters<typeof entra>[0]), "entra.tenant");
    configError(() => entra({ tenant: "", audience: V2_AUDIENCE }), "entra.tenant");
  });

  it("requires the audience (entra.audience)", () => {
    configError(() => entra({ tenant: TID } as unknown as Parameters<typeof entra>[0]), "entra.audience");
  });

  it("refuses an unknown cloud (entra.cloud) and an unknown version (entra.version)", () => {
    configError(() => entra({ tenant: TID, audience: V2_AUDIENCE, cloud: "germany" as "china" }), "entra.cloud");
    configError(() => entra({ tenant: TID, audience: V2_AUDIENCE, version: 3 as 2 }), "entra.version");
    configError(() => entra({ tenant: TID, audience: V2_AUDIENCE, version: [] }), "entra.version");
  });

  it("requires allowedTenants (or dangerouslyAcceptAnyTenant) for common and organizations (entra.allowedTenants)", () => {
    configError(() => entra({ tenant: "common", audience: V2_AUDIENCE }), "entra.allowedTenants");
    configError(() => entra({ tenant: "organizations", audience: V2_AUDIENCE }), "entra.allowedTenants");
  });

  it("refuses allowedTenants for a single tenant or consumers, where they would do nothing (entra.allowedTenants)", () => {
    configError(() => entra({ tenant: TID, audience: V2_AUDIENCE, allowedTenants: [TID] }), "entra.allowedTenants");
    configError(() => entra({ tenant: "consumers", audience: V2_AUDIENCE, dangerouslyAcceptAnyTenant: true }), "entra.allowedTenants");
  });

  it("refuses v1.0 for consumers, who get v2.0 tokens only (entra.version)", () => {
    configError(() => entra({ tenant: "consumers", audience: V2_AUDIENCE, version: [1, 2] }), "entra.version");
  });
});
