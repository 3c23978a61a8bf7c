import { describe, expect, it } from "vitest";
import { createVerifier, TokenError } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

describe("verify: a valid token", () => {
  for (const crypto of ["node", "webcrypto"] as const) {
    it(`accepts an ES256 access token and exposes claims, scopes and roles (${crypto})`, async () => {
      const key = await generateKey("ES256");
      const verifier = createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
      const token = await signToken(key, accessClaims({ scope: "read:data write:data", roles: ["Admin"] }));
      const verified = await verifier.verify(token);
      expect(verified.claims.sub).toBe("user-1");
      expect(verified.issuer.issuer).toBe(ISSUER);
      expect(verified.scopes).toEqual(["read:data", "write:data"]);
      expect(verified.roles).toEqual(["Admin"]);
      expect(verified.header.kid).toBe(key.kid);
    });

    it(`refuses a token whose signature was altered (${crypto})`, async () => {
      const key = await generateKey("RS256");
      const verifier = createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
      const token = await signToken(key, accessClaims());
      const last = token.at(-2) === "A" ? "B" : "A";
      const error = await verifier.verify(`${token.slice(0, -2)}${last}${token.at(-1)}`).catch((e: unknown) => e);
      expect(TokenError.is(error)).toBe(true);
      expect((error as TokenError).code).toBe("signature_invalid");
      expect((error as TokenError).status).toBe(401);
    });
  }
});
