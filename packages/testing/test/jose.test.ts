// jose, the JOSE reference implementation, as an independent verifier of the
// mock's tokens: its remote JWK Set, jwtVerify with RFC 9068's typ, and
// discovery by hand from the metadata.
import { createRemoteJWKSet, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createMockIssuer, INVALID_TOKENS, type InvalidTokenKind, MOCK_ALGORITHMS } from "../src/index.js";

describe("jose verifies the mock's tokens", () => {
  for (const algorithm of MOCK_ALGORITHMS) {
    it(`${algorithm}: createRemoteJWKSet + jwtVerify (issuer, audience, typ at+jwt, the algorithm)`, async () => {
      await using issuer = await createMockIssuer({ algorithms: [algorithm] });
      const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
      const { payload, protectedHeader } = await jwtVerify(await issuer.mint({ sub: "carol" }), jwks, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        typ: "at+jwt",
        algorithms: [algorithm],
        requiredClaims: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"],
      });
      expect(payload.sub).toBe("carol");
      expect(protectedHeader.alg).toBe(algorithm);
    });
  }

  it("finds the JWKS through the metadata, and the published keys import as public keys", async () => {
    await using issuer = await createMockIssuer({ path: "/oauth2/default", algorithms: ["ES256", "RS256"] });
    const metadata = (await (await fetch(issuer.endpoints.openidConfiguration)).json()) as { issuer: string; jwks_uri: string };
    expect(metadata.issuer).toBe(issuer.issuer);
    const document = (await (await fetch(metadata.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
    for (const jwk of document.keys) {
      const key = (await importJWK(jwk, jwk.alg as string)) as CryptoKey;
      expect(key.type).toBe("public");
    }
    await jwtVerify(await issuer.mint({}, { algorithm: "RS256" }), createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: metadata.issuer });
  });

  it("refuses every invalid token too", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["ES256"] });
    const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
    for (const kind of Object.keys(INVALID_TOKENS) as InvalidTokenKind[]) {
      const outcome = await jwtVerify(await issuer.mintInvalid(kind), jwks, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        typ: "at+jwt",
        algorithms: ["ES256"],
      }).then(
        () => "accepted",
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      );
      expect(outcome, kind).toMatch(/^ERR_/);
    }
  });
});
