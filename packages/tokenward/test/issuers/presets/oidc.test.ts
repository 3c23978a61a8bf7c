import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, oidc } from "../../../src/index.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// From the provider seed (Generic OIDC Provider section).
const ISS = "https://your-auth-server.com";
const AUDIENCE = "your-api-audience";
const DISCOVERY = "https://your-auth-server.com/.well-known/openid-configuration";
const JWKS = "https://your-auth-server.com/.well-known/jwks.json";
const SEED_DISCOVERY = {
  issuer: "https://your-auth-server.com",
  authorization_endpoint: "https://your-auth-server.com/oauth2/authorize",
  token_endpoint: "https://your-auth-server.com/oauth2/token",
  jwks_uri: "https://your-auth-server.com/.well-known/jwks.json",
  response_types_supported: ["code", "token"],
  subject_types_supported: ["public"],
  id_token_signing_alg_values_supported: ["RS256"],
};

const token = (overrides: Record<string, unknown> = {}) =>
  freshen({ iss: ISS, aud: AUDIENCE, sub: "user-42", scope: "read:data", iat: 1735686000, exp: 1735689600, ...overrides });

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("ES256");
});

const sign = (claims: Record<string, unknown>) => signToken(key, claims);

describe("oidc preset: discovery", () => {
  it("returns the issuer as given and no jwksUri, so keys are discovered", () => {
    const policy = oidc(ISS, { audience: AUDIENCE });
    expect(policy.issuer).toBe(ISS);
    expect(policy.jwksUri).toBeUndefined();
    expect(policy.audience).toBe(AUDIENCE);
  });

  for (const crypto of BACKENDS) {
    it(`reads the seed's discovery document, then fetches exactly its jwks_uri (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [DISCOVERY]: SEED_DISCOVERY, [JWKS]: jwksOf(key) });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [oidc(ISS, { audience: AUDIENCE })] });
      const verified = await verifier.verify(await sign(token()));
      expect(verified.scopes).toEqual(["read:data"]);
      expect(verified.issuer.issuer).toBe(ISS);
      expect(fetcher.requests).toEqual([DISCOVERY, JWKS]);
      await verifier.verify(await sign(token({ sub: "user-43" })));
      expect(fetcher.requests).toEqual([DISCOVERY, JWKS]);
    });
  }

  it("refuses keys when the discovery document names another issuer, even one differing by a trailing slash (OIDC Discovery §4.3)", async () => {
    const fetcher = recordingFetcher({ [DISCOVERY]: { ...SEED_DISCOVERY, issuer: `${ISS}/` }, [JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [oidc(ISS, { audience: AUDIENCE })] });
    const error = await rejection(verifier.verify(await sign(token())), "jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.hint).toContain("trailing slash");
    expect(fetcher.requests).toEqual([DISCOVERY]);
  });

  it("falls back to RFC 8414 metadata (/.well-known/oauth-authorization-server/<path>) when there is no OpenID configuration", async () => {
    const issuer = "https://your-auth-server.com/tenant-a";
    const metadata = "https://your-auth-server.com/.well-known/oauth-authorization-server/tenant-a";
    const jwksUri = "https://your-auth-server.com/tenant-a/jwks";
    const fetcher = recordingFetcher({ [metadata]: { issuer, jwks_uri: jwksUri }, [jwksUri]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [oidc(issuer, { audience: AUDIENCE })] });
    await expect(verifier.verify(await sign(token({ iss: issuer })))).resolves.toBeDefined();
    expect(fetcher.requests).toEqual(["https://your-auth-server.com/tenant-a/.well-known/openid-configuration", metadata, jwksUri]);
  });

  it("refuses a discovered jwks_uri over plain http to a non-loopback host", async () => {
    const fetcher = recordingFetcher({ [DISCOVERY]: { ...SEED_DISCOVERY, jwks_uri: "http://your-auth-server.com/.well-known/jwks.json" } });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [oidc(ISS, { audience: AUDIENCE })] });
    const error = await rejection(verifier.verify(await sign(token())), "jwks_unavailable");
    expect(error.hint).toContain("http");
    expect(fetcher.requests).toEqual([DISCOVERY]);
  });

  it("skips discovery when jwksUri is given (the seed's AXIOMS_JWKS_URL)", async () => {
    const fetcher = recordingFetcher({ [JWKS]: jwksOf(key) });
    const policy = oidc(ISS, { audience: AUDIENCE, jwksUri: JWKS });
    expect(policy.jwksUri).toBe(JWKS);
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policy] });
    await expect(verifier.verify(await sign(token()))).resolves.toBeDefined();
    expect(fetcher.requests).toEqual([JWKS]);
  });
});

describe("oidc preset: configuration errors", () => {
  it("requires the issuer URL (oidc(issuerUrl))", () => {
    configError(() => oidc("", { audience: AUDIENCE }), "oidc(issuerUrl)");
  });

  it("requires an audience when the verifier is built (issuers[0].audience)", () => {
    configError(() => createVerifier({ issuers: [oidc(ISS, {})] }), "issuers[0].audience");
  });

  it("refuses discovery from a plain-http, non-loopback issuer (issuers[0].issuer)", () => {
    const error = configError(() => createVerifier({ issuers: [oidc("http://your-auth-server.com", { audience: AUDIENCE })] }), "issuers[0].issuer");
    expect(error.message).toContain("http");
  });
});
