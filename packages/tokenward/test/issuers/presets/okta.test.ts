import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, okta } from "../../../src/index.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// From the provider seed (Okta section).
const SEED_TOKEN = {
  sub: "00u1234567890abcde",
  iss: "https://your-domain.okta.com/oauth2/default",
  aud: "api://default",
  scp: ["openid", "profile", "email"],
  groups: ["Everyone", "Developers"],
  exp: 1735689600,
  iat: 1735686000,
  cid: "0oa1234567890abcde",
};

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

// Okta signs access tokens with RS256 and sends no typ header.
const sign = (claims: Record<string, unknown>) => signToken(key, claims, { typ: undefined });

describe("okta preset: the seed's authorization servers", () => {
  const servers = [
    {
      label: "the default authorization server",
      options: { domain: "your-domain.okta.com", audience: "api://default" },
      issuer: "https://your-domain.okta.com/oauth2/default",
      jwksUri: "https://your-domain.okta.com/oauth2/default/v1/keys",
    },
    {
      label: "a custom authorization server",
      options: { domain: "your-domain.okta.com", authorizationServerId: "aus1234567890abcde", audience: "api://your-audience" },
      issuer: "https://your-domain.okta.com/oauth2/aus1234567890abcde",
      jwksUri: "https://your-domain.okta.com/oauth2/aus1234567890abcde/v1/keys",
    },
    {
      label: "a preview (oktapreview.com) domain",
      options: { domain: "your-domain.oktapreview.com", audience: "api://default" },
      issuer: "https://your-domain.oktapreview.com/oauth2/default",
      jwksUri: "https://your-domain.oktapreview.com/oauth2/default/v1/keys",
    },
  ] as const;

  for (const server of servers) {
    it(`builds ${server.issuer} with keys at ${server.jwksUri} for ${server.label}`, () => {
      const policy = okta(server.options);
      expect([policy.issuer, policy.jwksUri]).toEqual([server.issuer, server.jwksUri]);
    });

    for (const crypto of BACKENDS) {
      it(`verifies the seed's token from ${server.label}: scp array as scopes, groups as roles (${crypto})`, async () => {
        const fetcher = recordingFetcher({ [server.jwksUri]: jwksOf(key) });
        const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [okta(server.options)] });
        const verified = await verifier.verify(await sign(freshen({ ...SEED_TOKEN, iss: server.issuer, aud: server.options.audience })));
        expect(fetcher.requests).toEqual([server.jwksUri]);
        expect(verified.issuer.issuer).toBe(server.issuer);
        expect(verified.scopes).toEqual(["openid", "profile", "email"]);
        expect(verified.roles).toEqual(["Everyone", "Developers"]);
        expect(verified.claims.cid).toBe("0oa1234567890abcde");
      });
    }
  }

  // The org server's access tokens are for Okta's own APIs (aud is the org URL);
  // what an app verifies from it are ID tokens, whose aud is the client id.
  it("builds the org authorization server (authorizationServerId null): iss is the bare domain, keys at /oauth2/v1/keys", async () => {
    const policy = okta({ domain: "your-domain.okta.com", authorizationServerId: null, audience: "0oa1234567890abcde" });
    expect([policy.issuer, policy.jwksUri]).toEqual(["https://your-domain.okta.com", "https://your-domain.okta.com/oauth2/v1/keys"]);
    const fetcher = recordingFetcher({ "https://your-domain.okta.com/oauth2/v1/keys": jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policy] });
    const idToken = freshen({
      sub: "00u1234567890abcde",
      ver: 1,
      iss: "https://your-domain.okta.com",
      aud: "0oa1234567890abcde",
      iat: 1735686000,
      exp: 1735689600,
      amr: ["pwd"],
      idp: "00o1234567890abcde",
      auth_time: 1735686000,
      groups: ["Everyone"],
    });
    const verified = await verifier.verify(await signToken(key, idToken, { typ: "JWT" }));
    expect(verified.roles).toEqual(["Everyone"]);
    expect(fetcher.requests).toEqual(["https://your-domain.okta.com/oauth2/v1/keys"]);
  });

  it("refuses a default-server token at an API configured for a custom server (issuer_untrusted, nothing fetched)", async () => {
    const fetcher = recordingFetcher();
    const verifier = createVerifier({
      fetchJson: fetcher.fetchJson,
      issuers: [okta({ domain: "your-domain.okta.com", authorizationServerId: "aus1234567890abcde", audience: "api://your-audience" })],
    });
    await rejection(verifier.verify(await sign(freshen({ ...SEED_TOKEN, aud: "api://your-audience" }))), "issuer_untrusted");
    expect(fetcher.requests).toEqual([]);
  });

  it("refuses a token for another audience of the same server (audience_mismatch)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ "https://your-domain.okta.com/oauth2/default/v1/keys": jwksOf(key) }).fetchJson,
      issuers: [okta({ domain: "your-domain.okta.com", audience: "api://orders" })],
    });
    await rejection(verifier.verify(await sign(freshen(SEED_TOKEN))), "audience_mismatch");
  });
});

describe("okta preset: configuration errors", () => {
  it("requires the Okta domain, without a path (okta.domain)", () => {
    configError(() => okta({ audience: "api://default" } as unknown as Parameters<typeof okta>[0]), "okta.domain");
    const error = configError(() => okta({ domain: "https://your-domain.okta.com/oauth2/default", audience: "api://default" }), "okta.domain");
    expect(error.message).toContain("your-domain.okta.com");
    configError(() => okta({ domain: "http://your-domain.okta.com", audience: "api://default" }), "okta.domain");
  });

  it("refuses an authorization server id that is not one path segment (okta.authorizationServerId)", () => {
    configError(() => okta({ domain: "your-domain.okta.com", authorizationServerId: "default/v1", audience: "api://default" }), "okta.authorizationServerId");
    configError(() => okta({ domain: "your-domain.okta.com", authorizationServerId: "", audience: "api://default" }), "okta.authorizationServerId");
  });

  it("requires the audience configured on the authorization server (okta.audience)", () => {
    configError(() => okta({ domain: "your-domain.okta.com" } as unknown as Parameters<typeof okta>[0]), "okta.audience");
  });
});
