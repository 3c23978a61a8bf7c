import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createVerifier, fromEnv } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../helpers/provider-fixtures.js";

// The seed's Cognito and Auth0 configurations, as Axioms users have them in .env files.
const COGNITO_ENV = {
  AXIOMS_AUDIENCE: "your-api-audience",
  AXIOMS_ISS_URL: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg",
  AXIOMS_JWKS_URL: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg/.well-known/jwks.json",
};
const AUTH0_ENV = {
  AXIOMS_AUDIENCE: "https://your-api.example.com",
  AXIOMS_ISS_URL: "https://your-tenant.auth0.com/",
  AXIOMS_JWKS_URL: "https://your-tenant.auth0.com/.well-known/jwks.json",
};

describe("fromEnv: TOKENWARD_ variables", () => {
  it("reads one issuer and one audience; without TOKENWARD_JWKS_URI the keys are discovered", () => {
    const options = fromEnv({ TOKENWARD_ISSUER: "https://your-tenant.auth0.com/", TOKENWARD_AUDIENCE: "https://api.example.com" });
    expect(options).toEqual({ issuers: [{ issuer: "https://your-tenant.auth0.com/", audience: ["https://api.example.com"] }] });
  });

  it("reads TOKENWARD_JWKS_URI for the issuer", () => {
    const options = fromEnv({
      TOKENWARD_ISSUER: "https://your-domain.okta.com/oauth2/default",
      TOKENWARD_AUDIENCE: "api://default",
      TOKENWARD_JWKS_URI: "https://your-domain.okta.com/oauth2/default/v1/keys",
    });
    expect(options.issuers).toEqual([
      { issuer: "https://your-domain.okta.com/oauth2/default", audience: ["api://default"], jwksUri: "https://your-domain.okta.com/oauth2/default/v1/keys" },
    ]);
  });

  it("reads several comma-separated issuers, pairing JWKS URIs by position and sharing the audiences", () => {
    const options = fromEnv({
      TOKENWARD_ISSUER: "https://your-tenant.auth0.com/, https://your-domain.okta.com/oauth2/default",
      TOKENWARD_AUDIENCE: "https://api.example.com,api://default",
      TOKENWARD_JWKS_URI: "https://your-tenant.auth0.com/.well-known/jwks.json , https://your-domain.okta.com/oauth2/default/v1/keys",
    });
    expect(options.issuers).toEqual([
      {
        issuer: "https://your-tenant.auth0.com/",
        audience: ["https://api.example.com", "api://default"],
        jwksUri: "https://your-tenant.auth0.com/.well-known/jwks.json",
      },
      {
        issuer: "https://your-domain.okta.com/oauth2/default",
        audience: ["https://api.example.com", "api://default"],
        jwksUri: "https://your-domain.okta.com/oauth2/default/v1/keys",
      },
    ]);
  });

  it("keeps the issuer's exact spelling, trailing slash included, and trims only surrounding whitespace", () => {
    const options = fromEnv({ TOKENWARD_ISSUER: "  https://your-tenant.auth0.com/ ", TOKENWARD_AUDIENCE: " https://api.example.com\n" });
    expect(options.issuers).toEqual([{ issuer: "https://your-tenant.auth0.com/", audience: ["https://api.example.com"] }]);
  });

  it("refuses an empty entry in a list, naming the variable (TOKENWARD_ISSUER)", () => {
    const error = configError(
      () => fromEnv({ TOKENWARD_ISSUER: "https://a.example.com,,https://b.example.com", TOKENWARD_AUDIENCE: "api" }),
      "TOKENWARD_ISSUER",
    );
    expect(error.message).toContain("empty entry");
    configError(() => fromEnv({ TOKENWARD_ISSUER: "https://a.example.com", TOKENWARD_AUDIENCE: "api," }), "TOKENWARD_AUDIENCE");
  });

  it("reads process.env when called without an argument", () => {
    vi.stubEnv("TOKENWARD_ISSUER", "https://from-process.example.com");
    vi.stubEnv("TOKENWARD_AUDIENCE", "https://api.example.com");
    try {
      expect(fromEnv().issuers).toEqual([{ issuer: "https://from-process.example.com", audience: ["https://api.example.com"] }]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("fromEnv: the Axioms variables", () => {
  it("reads AXIOMS_ISS_URL, AXIOMS_AUDIENCE and AXIOMS_JWKS_URL (the seed's Cognito configuration)", () => {
    expect(fromEnv(COGNITO_ENV).issuers).toEqual([
      { issuer: COGNITO_ENV.AXIOMS_ISS_URL, audience: [COGNITO_ENV.AXIOMS_AUDIENCE], jwksUri: COGNITO_ENV.AXIOMS_JWKS_URL },
    ]);
  });

  it("keeps Auth0's trailing slash from AXIOMS_ISS_URL (the seed's Auth0 configuration)", () => {
    expect(fromEnv(AUTH0_ENV).issuers).toEqual([
      { issuer: "https://your-tenant.auth0.com/", audience: ["https://your-api.example.com"], jwksUri: AUTH0_ENV.AXIOMS_JWKS_URL },
    ]);
  });

  it("reads AXIOMS_DOMAIN as the issuer https://<domain>, with keys discovered", () => {
    expect(fromEnv({ AXIOMS_DOMAIN: "auth.example.com", AXIOMS_AUDIENCE: "orders" }).issuers).toEqual([
      { issuer: "https://auth.example.com", audience: ["orders"] },
    ]);
  });

  it("prefers AXIOMS_ISS_URL over AXIOMS_DOMAIN", () => {
    const options = fromEnv({ AXIOMS_DOMAIN: "auth.example.com", AXIOMS_ISS_URL: "https://auth.example.com/oauth2", AXIOMS_AUDIENCE: "orders" });
    expect(options.issuers).toEqual([{ issuer: "https://auth.example.com/oauth2", audience: ["orders"] }]);
  });

  it("refuses an AXIOMS_DOMAIN that is a URL rather than a bare domain (AXIOMS_DOMAIN)", () => {
    const error = configError(() => fromEnv({ AXIOMS_DOMAIN: "https://auth.example.com", AXIOMS_AUDIENCE: "orders" }), "AXIOMS_DOMAIN");
    expect(error.message).toContain("bare domain");
    configError(() => fromEnv({ AXIOMS_DOMAIN: "auth.example.com/tenant", AXIOMS_AUDIENCE: "orders" }), "AXIOMS_DOMAIN");
  });

  it("accepts TOKENWARD_ and AXIOMS_ variables set to the same values", () => {
    const options = fromEnv({ ...AUTH0_ENV, TOKENWARD_ISSUER: AUTH0_ENV.AXIOMS_ISS_URL, TOKENWARD_AUDIENCE: AUTH0_ENV.AXIOMS_AUDIENCE });
    expect(options.issuers).toEqual(fromEnv(AUTH0_ENV).issuers);
  });

  it("refuses TOKENWARD_ and AXIOMS_ variables set to different values, naming the variable", () => {
    const issuer = configError(() => fromEnv({ ...AUTH0_ENV, TOKENWARD_ISSUER: "https://your-tenant.auth0.com" }), "TOKENWARD_ISSUER");
    expect(issuer.message).toContain("AXIOMS_ISS_URL");
    const audience = configError(() => fromEnv({ ...AUTH0_ENV, TOKENWARD_AUDIENCE: "https://other-api.example.com" }), "TOKENWARD_AUDIENCE");
    expect(audience.message).toContain("AXIOMS_AUDIENCE");
    const jwks = configError(() => fromEnv({ ...AUTH0_ENV, TOKENWARD_JWKS_URI: "https://elsewhere.example.com/jwks.json" }), "TOKENWARD_JWKS_URI");
    expect(jwks.message).toContain("AXIOMS_JWKS_URL");
  });
});

describe("fromEnv: missing and inconsistent configuration", () => {
  it("without any issuer variable, names TOKENWARD_ISSUER and says how to set it", () => {
    const error = configError(() => fromEnv({ TOKENWARD_AUDIENCE: "https://api.example.com" }), "TOKENWARD_ISSUER");
    expect(error.message).toContain("is not set");
    expect(error.message).toContain("TOKENWARD_ISSUER=https://");
    expect(error.message).toContain("AXIOMS_ISS_URL");
    configError(() => fromEnv({ TOKENWARD_ISSUER: "   ", TOKENWARD_AUDIENCE: "https://api.example.com" }), "TOKENWARD_ISSUER");
    configError(() => fromEnv({}), "TOKENWARD_ISSUER");
  });

  it("without any audience variable, names TOKENWARD_AUDIENCE and says how to set it", () => {
    const error = configError(() => fromEnv({ AXIOMS_ISS_URL: "https://your-tenant.auth0.com/" }), "TOKENWARD_AUDIENCE");
    expect(error.message).toContain("is not set");
    expect(error.message).toContain("TOKENWARD_AUDIENCE=");
  });

  it("refuses a JWKS list whose length differs from the issuer list, naming the JWKS variable", () => {
    const error = configError(
      () =>
        fromEnv({
          TOKENWARD_ISSUER: "https://a.example.com,https://b.example.com",
          TOKENWARD_AUDIENCE: "api",
          TOKENWARD_JWKS_URI: "https://a.example.com/jwks.json",
        }),
      "TOKENWARD_JWKS_URI",
    );
    expect(error.message).toContain("1 URL(s) for 2 issuer(s)");
    configError(
      () => fromEnv({ AXIOMS_ISS_URL: "https://a.example.com", AXIOMS_AUDIENCE: "api", AXIOMS_JWKS_URL: "https://a.example.com/1,https://a.example.com/2" }),
      "AXIOMS_JWKS_URL",
    );
  });

  it("refuses a plain-http JWKS URL on a non-loopback host, and accepts it on loopback", () => {
    const error = configError(
      () => fromEnv({ TOKENWARD_ISSUER: "https://a.example.com", TOKENWARD_AUDIENCE: "api", TOKENWARD_JWKS_URI: "http://a.example.com/jwks.json" }),
      "TOKENWARD_JWKS_URI",
    );
    expect(error.message).toContain("https");
    configError(
      () => fromEnv({ AXIOMS_ISS_URL: "https://a.example.com", AXIOMS_AUDIENCE: "api", AXIOMS_JWKS_URL: "http://a.example.com/jwks.json" }),
      "AXIOMS_JWKS_URL",
    );
    for (const host of ["127.0.0.1:9000", "localhost:9000", "[::1]:9000"]) {
      expect(
        fromEnv({ TOKENWARD_ISSUER: "https://a.example.com", TOKENWARD_AUDIENCE: "api", TOKENWARD_JWKS_URI: `http://${host}/jwks.json` }).issuers,
      ).toHaveLength(1);
    }
  });

  it("refuses discovery from a plain-http, non-loopback issuer, naming the issuer variable", () => {
    const error = configError(() => fromEnv({ TOKENWARD_ISSUER: "http://auth.example.com", TOKENWARD_AUDIENCE: "api" }), "TOKENWARD_ISSUER");
    expect(error.message).toContain("TOKENWARD_JWKS_URI");
    configError(() => fromEnv({ AXIOMS_ISS_URL: "http://auth.example.com", AXIOMS_AUDIENCE: "api" }), "AXIOMS_ISS_URL");
    expect(fromEnv({ TOKENWARD_ISSUER: "http://localhost:9000", TOKENWARD_AUDIENCE: "http://localhost:8000" }).issuers).toHaveLength(1);
  });

  it("refuses a JWKS value that is not an absolute URL", () => {
    configError(
      () => fromEnv({ TOKENWARD_ISSUER: "https://a.example.com", TOKENWARD_AUDIENCE: "api", TOKENWARD_JWKS_URI: "/jwks.json" }),
      "TOKENWARD_JWKS_URI",
    );
  });
});

describe("fromEnv: TOKENWARD_ALGORITHMS and TOKENWARD_CLOCK_TOLERANCE", () => {
  const base = { TOKENWARD_ISSUER: "https://a.example.com", TOKENWARD_AUDIENCE: "api" };

  it("reads a comma-separated algorithm allow-list", () => {
    expect(fromEnv({ ...base, TOKENWARD_ALGORITHMS: "RS256, ES256,EdDSA" }).algorithms).toEqual(["RS256", "ES256", "EdDSA"]);
    expect(fromEnv(base).algorithms).toBeUndefined();
    expect(fromEnv({ ...base, TOKENWARD_ALGORITHMS: " " }).algorithms).toBeUndefined();
  });

  it("refuses HMAC, none and unknown algorithms (TOKENWARD_ALGORITHMS)", () => {
    for (const value of ["HS256", "RS256,HS512", "none", "RS999", "rs256"]) {
      configError(() => fromEnv({ ...base, TOKENWARD_ALGORITHMS: value }), "TOKENWARD_ALGORITHMS");
    }
  });

  it("reads the clock tolerance in seconds", () => {
    expect(fromEnv({ ...base, TOKENWARD_CLOCK_TOLERANCE: "30" }).clockTolerance).toBe(30);
    expect(fromEnv({ ...base, TOKENWARD_CLOCK_TOLERANCE: " 0 " }).clockTolerance).toBe(0);
    expect(fromEnv({ ...base, TOKENWARD_CLOCK_TOLERANCE: "" }).clockTolerance).toBeUndefined();
  });

  it("refuses a tolerance that is not a number of seconds, 0 or more (TOKENWARD_CLOCK_TOLERANCE)", () => {
    for (const value of ["-1", "abc", "30s", "Infinity", "NaN"]) {
      configError(() => fromEnv({ ...base, TOKENWARD_CLOCK_TOLERANCE: value }), "TOKENWARD_CLOCK_TOLERANCE");
    }
  });
});

describe("fromEnv: end to end", () => {
  let server: TestServer | undefined;
  let es256: TestKey;
  let rs256: TestKey;
  beforeAll(async () => {
    es256 = await generateKey("ES256");
    rs256 = await generateKey("RS256");
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const crypto of BACKENDS) {
    it(`verifies a real token with options from fromEnv and a JWKS served on 127.0.0.1 (${crypto})`, async () => {
      server = await startServer();
      server.json("/jwks.json", jwksOf(es256, rs256));
      const issuer = "https://your-tenant.auth0.com/";
      const options = fromEnv({
        TOKENWARD_ISSUER: issuer,
        TOKENWARD_AUDIENCE: "https://your-api.example.com",
        TOKENWARD_JWKS_URI: `${server.origin}/jwks.json`,
        TOKENWARD_ALGORITHMS: "ES256",
        TOKENWARD_CLOCK_TOLERANCE: "30",
      });
      const now = Math.floor(Date.now() / 1000);
      const verifier = createVerifier({ ...options, crypto, now: () => now });
      const claims = freshen(
        { sub: "auth0|1234567890", iss: issuer, aud: "https://your-api.example.com", scope: "openid read:data", iat: 1735686000, exp: 1735689600 },
        now,
      );

      const verified = await verifier.verify(await signToken(es256, claims));
      expect(verified.scopes).toEqual(["openid", "read:data"]);
      expect(verified.issuer.jwksUri).toBe(`${server.origin}/jwks.json`);

      // Expired 20 s ago: inside TOKENWARD_CLOCK_TOLERANCE=30.
      await expect(verifier.verify(await signToken(es256, { ...claims, exp: now - 20 }))).resolves.toBeDefined();
      await rejection(verifier.verify(await signToken(es256, { ...claims, exp: now - 40 })), "token_expired");
      // RS256 is outside TOKENWARD_ALGORITHMS.
      await rejection(verifier.verify(await signToken(rs256, claims)), "algorithm_not_allowed");
      // Auth0's trailing slash matters.
      await rejection(verifier.verify(await signToken(es256, { ...claims, iss: "https://your-tenant.auth0.com" })), "issuer_untrusted");
      expect(server.count("/jwks.json")).toBe(1);
    });
  }

  it("discovers the keys of an AXIOMS_ISS_URL issuer on loopback over real HTTP", async () => {
    server = await startServer();
    const issuer = server.origin;
    server.json("/.well-known/openid-configuration", { issuer, jwks_uri: `${issuer}/keys` });
    server.json("/keys", jwksOf(rs256));
    const verifier = createVerifier(fromEnv({ AXIOMS_ISS_URL: issuer, AXIOMS_AUDIENCE: "your-api-audience" }));
    const token = await signToken(
      rs256,
      freshen({ iss: issuer, aud: "your-api-audience", sub: "1234567890", scope: "openid", iat: 1735686000, exp: 1735689600 }),
    );
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "1234567890", scopes: ["openid"] });
    expect(server.count("/.well-known/openid-configuration")).toBe(1);
    expect(server.count("/keys")).toBe(1);
  });

  it("builds a working verifier from the seed's Axioms variables, fetching exactly AXIOMS_JWKS_URL", async () => {
    const fetcher = recordingFetcher({ [COGNITO_ENV.AXIOMS_JWKS_URL]: jwksOf(rs256) });
    const verifier = createVerifier({ ...fromEnv(COGNITO_ENV), fetchJson: fetcher.fetchJson });
    const claims = freshen({
      sub: "1234567890",
      iss: COGNITO_ENV.AXIOMS_ISS_URL,
      aud: "your-api-audience",
      token_use: "access",
      scope: "openid profile email",
      auth_time: 1735686000,
      exp: 1735689600,
      iat: 1735686000,
    });
    const verified = await verifier.verify(await signToken(rs256, claims, { typ: undefined }));
    expect(verified.scopes).toEqual(["openid", "profile", "email"]);
    expect(fetcher.requests).toEqual([COGNITO_ENV.AXIOMS_JWKS_URL]);
  });
});
