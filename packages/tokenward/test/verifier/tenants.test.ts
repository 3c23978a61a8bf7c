import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type JwkSet } from "../../src/index.js";
import { BACKENDS, expectRefused, fetchSpy, NOW, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, signToken, type TestKey } from "../helpers/keys.js";

// Multi-tenant issuer templates (Microsoft Entra ID v2.0: one issuer per
// tenant, https://login.microsoftonline.com/{tenantid}/v2.0). The tenant in
// `iss` must be allowed, and must equal the token's own tenant claim (`tid`),
// or a token from any tenant could pose as another's.

const TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0";
const TENANT_A = "0f4e2c1a-1111-4111-8111-11111111abcd";
const TENANT_B = "22222222-2222-4222-8222-222222222222";
const issuerOf = (tenant: string) => `https://login.microsoftonline.com/${tenant}/v2.0`;

let key: TestKey;
let other: TestKey;

beforeAll(async () => {
  key = await generateKey("RS256", "entra-key");
  other = await generateKey("ES256", "exact-key");
});

const tokenFor = (tenant: string, overrides: Record<string, unknown> = {}, signer?: TestKey) =>
  signToken(signer ?? key, accessClaims({ iss: issuerOf(tenant), tid: tenant, ...overrides }, NOW));

for (const crypto of BACKENDS) {
  describe(`tenants: a {tenantid} issuer template (${crypto})`, () => {
    function verifier(policy: Partial<IssuerPolicy> = {}, jwks: JwkSet = { keys: [key.jwk] }) {
      return createVerifier({
        crypto,
        now: () => NOW,
        issuers: [{ issuer: TEMPLATE, audience: AUDIENCE, jwks, tenants: [TENANT_A], ...policy } as IssuerPolicy],
      });
    }

    it("accepts a token of an allowed tenant whose tid agrees, and reports the tenant", async () => {
      const verified = await verifier().verify(await tokenFor(TENANT_A));
      expect(verified.tenant).toBe(TENANT_A);
      expect(verified.issuer.issuer).toBe(TEMPLATE);
      expect(verified.claims.iss).toBe(issuerOf(TENANT_A));
    });

    it("refuses a token whose tid differs from the tenant in iss", async () => {
      const token = await tokenFor(TENANT_A, { tid: TENANT_B });
      await expectRefused(verifier().verify(token), "tenant_not_allowed", [
        `the tenant in iss is "${TENANT_A}"`,
        `"tid" claim is "${TENANT_B}"`,
        "must be equal",
      ]);
    });

    it("refuses a token without a tid claim", async () => {
      const { tid: _, ...claims } = accessClaims({ iss: issuerOf(TENANT_A), tid: TENANT_A }, NOW);
      await expectRefused(verifier().verify(await signToken(key, claims)), "tenant_not_allowed", ['"tid" claim is undefined']);
    });

    it("refuses a tenant that is not allowed, and lists the allowed ones", async () => {
      const token = await tokenFor(TENANT_B);
      await expectRefused(verifier().verify(token), "tenant_not_allowed", [
        `tenant "${TENANT_B}" is not among the allowed tenants`,
        `"${TENANT_A}"`,
        "Add it to tenants",
      ]);
    });

    for (const [name, iss] of [
      ["an extra path segment", `https://login.microsoftonline.com/${TENANT_A}/extra/v2.0`],
      ["an empty tenant", "https://login.microsoftonline.com//v2.0"],
      ["no tenant at all", "https://login.microsoftonline.com/v2.0"],
      ["a trailing slash", `${issuerOf(TENANT_A)}/`],
      ["another host that shares the prefix text", `https://login.microsoftonline.com.evil.example/${TENANT_A}/v2.0`],
      ["a percent-encoded slash in the tenant", `https://login.microsoftonline.com/${TENANT_A}%2Fx/v2.0`],
      ["a query in the tenant", `https://login.microsoftonline.com/${TENANT_A}?x=1/v2.0`],
      ["whitespace in the tenant", `https://login.microsoftonline.com/${TENANT_A} /v2.0`],
      ["the v1 issuer form", `https://sts.windows.net/${TENANT_A}/`],
    ] as const) {
      it(`refuses an iss with ${name}: it does not fit the template (issuer_untrusted)`, async () => {
        const token = await signToken(key, accessClaims({ iss, tid: TENANT_A }, NOW));
        await expectRefused(verifier().verify(token), "issuer_untrusted", [JSON.stringify(iss)]);
      });
    }

    it("accepts any tenant with dangerouslyAcceptAnyTenant, and still requires tid to agree", async () => {
      const open = verifier({ tenants: undefined, dangerouslyAcceptAnyTenant: true });
      expect((await open.verify(await tokenFor(TENANT_B))).tenant).toBe(TENANT_B);
      expect((await open.verify(await tokenFor("contoso.onmicrosoft.com"))).tenant).toBe("contoso.onmicrosoft.com");
      await expectRefused(open.verify(await tokenFor(TENANT_B, { tid: TENANT_A })), "tenant_not_allowed", ["must be equal"]);
    });

    it("reads the tenant from another claim with tenantClaim", async () => {
      const custom = verifier({ tenantClaim: "tenant_id" });
      const good = await signToken(key, accessClaims({ iss: issuerOf(TENANT_A), tenant_id: TENANT_A }, NOW));
      expect((await custom.verify(good)).tenant).toBe(TENANT_A);
      const onlyTid = await tokenFor(TENANT_A);
      await expectRefused(custom.verify(onlyTid), "tenant_not_allowed", ['"tenant_id" claim is undefined']);
    });

    it("refuses a tenant claim that is not a string equal to the tenant", async () => {
      await expectRefused(verifier().verify(await tokenFor(TENANT_A, { tid: [TENANT_A] })), "tenant_not_allowed", ["must be equal"]);
      await expectRefused(verifier().verify(await tokenFor(TENANT_A, { tid: TENANT_A.toUpperCase() })), "tenant_not_allowed", ["must be equal"]);
    });

    it("accepts a key whose issuer member is the template, with the tenant substituted", async () => {
      const published = verifier({}, { keys: [{ ...key.jwk, issuer: TEMPLATE }] });
      expect((await published.verify(await tokenFor(TENANT_A))).tenant).toBe(TENANT_A);
    });

    it("refuses a token signed by a key published for another tenant's issuer", async () => {
      const both = verifier({ tenants: [TENANT_A, TENANT_B] }, { keys: [{ ...key.jwk, issuer: issuerOf(TENANT_B) }] });
      expect((await both.verify(await tokenFor(TENANT_B))).tenant).toBe(TENANT_B);
      const token = await tokenFor(TENANT_A);
      await expectRefused(
        both.verify(token),
        "key_not_found",
        [`key "entra-key" is published for issuer "${issuerOf(TENANT_B)}"`, JSON.stringify(issuerOf(TENANT_A))],
        token,
      );
    });

    it("refuses a token signed by a key published for another cloud's issuer", async () => {
      const cloud = verifier({}, { keys: [{ ...key.jwk, issuer: "https://login.microsoftonline.us/{tenantid}/v2.0" }] });
      await expectRefused(cloud.verify(await tokenFor(TENANT_A)), "key_not_found", ["published for issuer", "login.microsoftonline.us"]);
    });

    it("prefers an exact issuer over a template that would also match it", async () => {
      const mixed = createVerifier({
        crypto,
        now: () => NOW,
        issuers: [
          { issuer: TEMPLATE, audience: AUDIENCE, jwks: { keys: [key.jwk] }, tenants: [TENANT_A] },
          { issuer: issuerOf(TENANT_B), audience: AUDIENCE, jwks: { keys: [other.jwk] } },
        ],
      });
      const exact = await mixed.verify(await tokenFor(TENANT_B, {}, other));
      expect(exact.issuer.issuer).toBe(issuerOf(TENANT_B));
      expect(exact.tenant).toBeUndefined();
      // The template's key cannot vouch for the exact issuer, and the exact issuer's tenant is not the template's.
      await expectRefused(mixed.verify(await tokenFor(TENANT_B)), "key_not_found", ['no key has kid "entra-key"']);
    });
  });
}

describe("tenants: refused before any request", () => {
  it("refuses a tenant that is not allowed, or a tid mismatch, without fetching the JWKS", async () => {
    const url = "https://login.microsoftonline.com/common/discovery/v2.0/keys";
    const spy = fetchSpy({ [url]: { keys: [key.jwk] } });
    const verifier = createVerifier({
      now: () => NOW,
      fetchJson: spy.fetchJson,
      issuers: [{ issuer: TEMPLATE, audience: AUDIENCE, jwksUri: url, tenants: [TENANT_A] }],
    });
    await expectRefused(verifier.verify(await tokenFor(TENANT_B)), "tenant_not_allowed");
    await expectRefused(verifier.verify(await tokenFor(TENANT_A, { tid: TENANT_B })), "tenant_not_allowed");
    await expectRefused(verifier.verify(await tokenFor("x/y")), "issuer_untrusted");
    expect(spy.calls).toEqual([]);
    await verifier.verify(await tokenFor(TENANT_A));
    expect(spy.calls).toEqual([url]);
  });
});

describe("tenants: configuration (ConfigError)", () => {
  const base = () => ({ issuer: TEMPLATE, audience: AUDIENCE, jwks: { keys: [key.jwk] } });

  it("refuses a template without tenants or dangerouslyAcceptAnyTenant", () => {
    const error = verifierConfigError({ issuers: [base()] });
    expect(error.field).toBe("issuers[0].tenants");
    expect(error.message).toContain("multi-tenant template");
    expect(error.message).toContain("dangerouslyAcceptAnyTenant");
  });

  it("refuses both tenants and dangerouslyAcceptAnyTenant", () => {
    const error = verifierConfigError({ issuers: [{ ...base(), tenants: [TENANT_A], dangerouslyAcceptAnyTenant: true }] });
    expect(error.field).toBe("issuers[0].tenants");
    expect(error.message).toContain("not both");
  });

  it("refuses an empty tenants list", () => {
    expect(verifierConfigError({ issuers: [{ ...base(), tenants: [] }] }).field).toBe("issuers[0].tenants");
    expect(verifierConfigError({ issuers: [{ ...base(), tenants: [""] }] }).field).toBe("issuers[0].tenants");
  });

  it("refuses tenants on an issuer that is not a template", () => {
    const error = verifierConfigError({ issuers: [{ ...base(), issuer: issuerOf(TENANT_A), tenants: [TENANT_A] }] });
    expect(error.field).toBe("issuers[0].tenants");
    expect(error.message).toContain("{tenantid}");
  });

  it("refuses a template with the placeholder twice", () => {
    const error = verifierConfigError({ issuers: [{ ...base(), issuer: "https://{tenantid}.example.com/{tenantid}", tenants: [TENANT_A] }] });
    expect(error.field).toBe("issuers[0].issuer");
    expect(error.message).toContain("once");
  });

  it("refuses a template without jwksUri or jwks: it cannot be discovered from", () => {
    const error = verifierConfigError({ issuers: [{ issuer: TEMPLATE, audience: AUDIENCE, tenants: [TENANT_A] }] });
    expect(error.field).toBe("issuers[0].jwksUri");
    expect(error.message).toContain("cannot be discovered");
  });
});
