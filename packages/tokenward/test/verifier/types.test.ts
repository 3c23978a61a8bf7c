import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type VerifierOptions } from "../../src/index.js";
import { BACKENDS, expectRefused, NOW, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// The typ header (RFC 7515 §4.1.9) is a media type, compared
// case-insensitively with "application/" optional; RFC 8725 §3.11 gives each
// kind of JWT its own typ so one cannot pass for another, and RFC 9068 §2.1
// names "at+jwt" for access tokens.

let key: TestKey;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
});

const tokenWithTyp = (typ: string | undefined) => signToken(key, accessClaims({}, NOW), { typ });

for (const crypto of BACKENDS) {
  describe(`types (${crypto})`, () => {
    function verifier(policy: Partial<IssuerPolicy> = {}, options: Partial<VerifierOptions> = {}) {
      return createVerifier({ crypto, now: () => NOW, ...options, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...policy }] });
    }

    for (const typ of [undefined, "JWT", "jwt", "at+jwt", "application/at+jwt", "AT+JWT", "Application/AT+JWT", "application/jwt"]) {
      it(`accepts typ ${JSON.stringify(typ) ?? "absent"} by default`, async () => {
        const verified = await verifier().verify(await tokenWithTyp(typ));
        expect(verified.header.typ).toBe(typ);
      });
    }

    for (const typ of ["oauth-id-jag+jwt", "application/oauth-id-jag+jwt", "OAUTH-ID-JAG+JWT"]) {
      it(`refuses an ID-JAG (typ ${JSON.stringify(typ)}) offered as an access token, and says what it is`, async () => {
        const token = await tokenWithTyp(typ);
        await expectRefused(
          verifier().verify(token),
          "type_not_allowed",
          [
            `typ ${JSON.stringify(typ)}`,
            "Identity Assertion JWT Authorization Grant (ID-JAG)",
            "token endpoint",
            "never presented to an API",
            "RFC 8725 §3.11",
          ],
          token,
        );
      });
    }

    const others: [string, string][] = [
      ["dpop+jwt", "DPoP proof (RFC 9449)"],
      ["logout+jwt", "back-channel logout token"],
      ["secevent+jwt", "Security Event Token"],
      ["client-authentication+jwt", "client assertion"],
      ["token-introspection+jwt", "signed introspection response"],
    ];
    for (const [typ, what] of others) {
      it(`refuses typ ${JSON.stringify(typ)} and names it: ${what}`, async () => {
        await expectRefused(verifier().verify(await tokenWithTyp(typ)), "type_not_allowed", [what, '"application/jwt", "application/at+jwt"']);
      });
    }

    it("refuses an unknown typ and lists the accepted ones", async () => {
      const error = await expectRefused(verifier().verify(await tokenWithTyp("JOSE")), "type_not_allowed", [
        'typ "JOSE"',
        "this API accepts",
        "RFC 8725 §3.11",
      ]);
      expect(error.hint).not.toContain(" marks ");
    });

    it("refuses a typ that only contains an accepted one", async () => {
      await expectRefused(verifier().verify(await tokenWithTyp("at+jwt; charset=utf-8")), "type_not_allowed");
      await expectRefused(verifier().verify(await tokenWithTyp("application/at+jwt ")), "type_not_allowed");
      await expectRefused(verifier().verify(await tokenWithTyp("text/at+jwt")), "type_not_allowed");
    });

    it("accepts only the configured types, still compared as media types", async () => {
      const strict = verifier({ types: ["application/at+jwt"] });
      await expect(strict.verify(await tokenWithTyp("at+jwt"))).resolves.toBeDefined();
      await expect(strict.verify(await tokenWithTyp("AT+JWT"))).resolves.toBeDefined();
      await expect(strict.verify(await tokenWithTyp(undefined))).resolves.toBeDefined();
      await expectRefused(strict.verify(await tokenWithTyp("JWT")), "type_not_allowed", ['typ "JWT"', '"application/at+jwt"']);
    });

    it("takes the verifier-wide types as the default and lets a policy override them", async () => {
      const wide = verifier({}, { types: ["at+jwt"] });
      await expectRefused(wide.verify(await tokenWithTyp("JWT")), "type_not_allowed");
      const overridden = verifier({ types: ["JWT"] }, { types: ["at+jwt"] });
      await expect(overridden.verify(await tokenWithTyp("JWT"))).resolves.toBeDefined();
      await expectRefused(overridden.verify(await tokenWithTyp("at+jwt")), "type_not_allowed");
    });

    it("refuses a token without typ when requireType is set, and names the accepted types", async () => {
      const required = verifier({ requireType: true, types: ["at+jwt"] });
      await expectRefused(required.verify(await tokenWithTyp(undefined)), "type_not_allowed", ['no "typ" header', "requires one of", '"application/at+jwt"']);
      await expect(required.verify(await tokenWithTyp("at+jwt"))).resolves.toBeDefined();
    });

    it("lets a deliberate configuration accept ID-JAGs (for an authorization server's own use)", async () => {
      const jag = verifier({ types: ["oauth-id-jag+jwt"] });
      await expect(jag.verify(await tokenWithTyp("oauth-id-jag+jwt"))).resolves.toBeDefined();
      await expectRefused(jag.verify(await tokenWithTyp("at+jwt")), "type_not_allowed");
    });
  });
}

describe("types: hostile values in hints", () => {
  it("shows a refused typ escaped and cut short", async () => {
    const verifier = createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
    const typ = `evil\r\n[WARN] forged line ${"y".repeat(5000)}`;
    const error = await expectRefused(verifier.verify(await tokenWithTyp(typ)), "type_not_allowed", ["\\r\\n[WARN]"]);
    expect(error.hint).not.toMatch(/[\r\n]/);
    expect(error.hint.length).toBeLessThan(1000);
  });
});

describe("types: configuration (ConfigError)", () => {
  it("refuses an empty types list or an empty type", () => {
    expect(verifierConfigError({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), types: [] }] }).field).toBe("issuers[0].types");
    expect(verifierConfigError({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), types: [""] }] }).field).toBe("issuers[0].types");
  });
});
