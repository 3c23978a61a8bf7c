import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, createVerifier, type IssuerPolicy } from "../../src/index.js";
import { BACKENDS, expectRefused, NOW } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Some issuers say what kind of token this is in a claim rather than in
// `typ` (Cognito's token_use, Keycloak's typ claim). `kindClaims` makes that a
// type rule: the wrong kind is type_not_allowed, decided before times and
// audience so an ID token is named as such (RFC 8725 §3.11).

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("ES256", "k1");
});

for (const crypto of BACKENDS) {
  describe(`kindClaims (${crypto})`, () => {
    const verifier = (policy: Partial<IssuerPolicy> = {}) =>
      createVerifier({
        crypto,
        now: () => NOW,
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), kindClaims: { token_use: "access" }, ...policy }],
      });

    it("accepts a token whose kind claim has the configured value", async () => {
      const verified = await verifier().verify(await signToken(key, accessClaims({ token_use: "access" }, NOW)));
      expect(verified.claims.token_use).toBe("access");
    });

    it("refuses an ID token as type_not_allowed, before its audience is looked at", async () => {
      // An ID token carries the app client in aud: without the kind rule it would fail as audience_mismatch.
      const token = await signToken(key, accessClaims({ token_use: "id", aud: "some-app-client" }, NOW));
      await expectRefused(verifier().verify(token), "type_not_allowed", ['"token_use" is "id"', '"access"', "Send the access token"], token);
    });

    it("refuses the wrong kind even when the token has also expired (the kind is named first)", async () => {
      const token = await signToken(key, accessClaims({ token_use: "refresh", exp: NOW - 3600 }, NOW));
      await expectRefused(verifier().verify(token), "type_not_allowed", ['"refresh"']);
    });

    it("refuses a token without the kind claim as claim_missing", async () => {
      await expectRefused(verifier().verify(await signToken(key, accessClaims({}, NOW))), "claim_missing", ['"token_use"']);
    });

    it("checks the signature first: a forged ID token is signature_invalid, not type_not_allowed", async () => {
      const forger = await generateKey("ES256", "k1");
      await expectRefused(verifier().verify(await signToken(forger, accessClaims({ token_use: "id" }, NOW))), "signature_invalid");
    });
  });
}

describe("kindClaims: configuration", () => {
  for (const [value, shown] of [
    [1, "a number"],
    ["", "an empty string"],
  ] as const) {
    it(`refuses ${shown} as a kind value with a ConfigError naming the claim`, () => {
      let thrown: unknown;
      try {
        createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: "https://idp.example/jwks", kindClaims: { token_use: value as string } }] });
      } catch (error) {
        thrown = error;
      }
      expect(ConfigError.is(thrown)).toBe(true);
      expect((thrown as ConfigError).field).toBe("issuers[0].kindClaims.token_use");
    });
  }
});
