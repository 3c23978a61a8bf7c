import { beforeAll, describe, expect, it, vi } from "vitest";
import { type CheckContext, ConfigError, createVerifier, type IssuerPolicy, TokenError, type VerifierOptions } from "../../src/index.js";
import { expectRefused, NOW, NOW_ISO, signRaw, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Claim rules after the signature: time (RFC 7519 §4.1.4-6, RFC 9068 §2.2),
// audience (RFC 7519 §4.1.3, RFC 9068 §4), registered claim types (RFC 7519
// §4.1), and the policy's own requirements.

let key: TestKey;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
});

function verifier(policy: Partial<IssuerPolicy> = {}, options: Partial<VerifierOptions> = {}) {
  return createVerifier({ now: () => NOW, ...options, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...policy } as IssuerPolicy] });
}

/** Signs exactly these claims (no defaults added). */
const sign = (claims: Record<string, unknown>) => signRaw(key.privateKey, { alg: "ES256", kid: key.kid, typ: "at+jwt" }, claims);
const claims = (overrides: Record<string, unknown> = {}) => accessClaims(overrides, NOW);

describe("claims: exp, nbf and iat", () => {
  it('refuses a token without "exp": access tokens must expire (RFC 9068 §2.2)', async () => {
    const { exp: _, ...rest } = claims();
    await expectRefused(verifier().verify(sign(rest)), "claim_missing", ['no "exp"', "RFC 9068 §2.2"]);
  });

  for (const [name, raw] of [
    ["a string", '"1700000300"'],
    ["null", "null"],
    ["true", "true"],
    ["an array", "[1700000300]"],
    ["an object", '{"seconds":1700000300}'],
    ["Infinity (1e400)", "1e400"],
  ] as const) {
    it(`refuses exp that is ${name}: not a NumericDate (RFC 7519 §2)`, async () => {
      const { exp: _, ...rest } = claims();
      const token = sign(`${JSON.stringify(rest).slice(0, -1)},"exp":${raw}}` as unknown as Record<string, unknown>);
      await expectRefused(verifier().verify(token), "claim_invalid", ['"exp" is', "NumericDate", "RFC 7519 §2"]);
    });
  }

  it("refuses nbf and iat that are not NumericDates", async () => {
    await expectRefused(verifier().verify(sign(claims({ nbf: String(NOW) }))), "claim_invalid", ['"nbf" is "1700000000"', "NumericDate"]);
    await expectRefused(verifier().verify(sign(claims({ iat: null }))), "claim_invalid", ['"iat" is null']);
  });

  it("refuses -1e400 (negative infinity) as iat", async () => {
    const token = sign(`${JSON.stringify(claims({ iat: undefined })).slice(0, -1)},"iat":-1e400}` as unknown as Record<string, unknown>);
    await expectRefused(verifier().verify(token), "claim_invalid", ['"iat"']);
  });

  it("refuses an expired token with the seconds it is late, the server clock and the tolerance", async () => {
    const token = sign(claims({ iat: NOW - 3600, exp: NOW - 90 }));
    await expectRefused(
      verifier().verify(token),
      "token_expired",
      ["expired 90 s ago", `exp ${new Date((NOW - 90) * 1000).toISOString()}`, `this server's clock reads ${NOW_ISO}`, "tolerance 5 s", "NTP"],
      token,
    );
  });

  it("says minutes and hours for a token long expired", async () => {
    await expectRefused(verifier().verify(sign(claims({ iat: NOW - 3600, exp: NOW - 120 }))), "token_expired", ["expired 2 min 0 s ago"]);
    await expectRefused(verifier().verify(sign(claims({ iat: NOW - 20_000, exp: NOW - 3 * 3600 - 60 }))), "token_expired", ["expired 3 h 1 min ago"]);
  });

  it("treats exp == now - tolerance as expired and exp == now - tolerance + 1 as valid (RFC 7519 §4.1.4)", async () => {
    await expectRefused(verifier().verify(sign(claims({ iat: NOW - 600, exp: NOW - 5 }))), "token_expired", ["expired 5 s ago"]);
    await expect(verifier().verify(sign(claims({ iat: NOW - 600, exp: NOW - 4 })))).resolves.toMatchObject({ expiresAt: NOW - 4 });
  });

  it("with no tolerance, exp == now is expired and exp == now + 1 is valid", async () => {
    const strict = verifier({ clockTolerance: 0 });
    await expectRefused(strict.verify(sign(claims({ iat: NOW - 600, exp: NOW }))), "token_expired", ["tolerance 0 s"]);
    await expect(strict.verify(sign(claims({ iat: NOW - 600, exp: NOW + 1 })))).resolves.toBeDefined();
  });

  it("takes the verifier-wide clockTolerance unless the policy sets its own", async () => {
    const token = sign(claims({ iat: NOW - 600, exp: NOW - 30 }));
    await expect(verifier({}, { clockTolerance: 60 }).verify(token)).resolves.toBeDefined();
    await expectRefused(verifier({ clockTolerance: 10 }, { clockTolerance: 60 }).verify(token), "token_expired", ["tolerance 10 s"]);
  });

  it("refuses a token whose nbf is beyond the tolerance in the future, and blames clock skew", async () => {
    const token = sign(claims({ nbf: NOW + 60 }));
    await expectRefused(verifier().verify(token), "token_not_yet_valid", [
      "not valid for another 60 s",
      `this server's clock reads ${NOW_ISO}`,
      "clock skew",
      "clockTolerance",
    ]);
  });

  it("accepts nbf up to the tolerance ahead, and refuses one second more", async () => {
    await expect(verifier().verify(sign(claims({ nbf: NOW + 5 })))).resolves.toBeDefined();
    await expectRefused(verifier().verify(sign(claims({ nbf: NOW + 6 }))), "token_not_yet_valid");
  });

  it("refuses a token issued (iat) in the future beyond the tolerance", async () => {
    const token = sign(claims({ iat: NOW + 600 }));
    await expectRefused(verifier().verify(token), "token_not_yet_valid", ["issued 10 min 0 s in the future", "forged iat"]);
    await expect(verifier().verify(sign(claims({ iat: NOW + 5 })))).resolves.toBeDefined();
  });

  it("refuses a token older than maxTokenAge, and one without iat when maxTokenAge is set", async () => {
    const aged = verifier({ maxTokenAge: 3600 });
    await expectRefused(aged.verify(sign(claims({ iat: NOW - 7200, exp: NOW + 300 }))), "token_expired", [
      "issued 2 h 0 min ago",
      "maxTokenAge of 60 min 0 s",
      `this server's clock reads ${NOW_ISO}`,
    ]);
    await expectRefused(aged.verify(sign(claims({ iat: undefined }))), "claim_missing", ['needs an "iat"', "maxTokenAge (3600 s)"]);
  });

  it("measures maxTokenAge with the clock tolerance, to the second", async () => {
    const aged = verifier({ maxTokenAge: 3600 });
    await expect(aged.verify(sign(claims({ iat: NOW - 3605 })))).resolves.toBeDefined();
    await expectRefused(aged.verify(sign(claims({ iat: NOW - 3606 }))), "token_expired", ["maxTokenAge"]);
  });

  it("accepts fractional NumericDates (RFC 7519 §2)", async () => {
    const verified = await verifier({ clockTolerance: 0 }).verify(sign(claims({ iat: NOW - 0.5, nbf: NOW - 0.25, exp: NOW + 300.75 })));
    expect(verified.expiresAt).toBe(NOW + 300.75);
    await expectRefused(verifier({ clockTolerance: 0 }).verify(sign(claims({ exp: NOW - 0.5 }))), "token_expired");
    await expectRefused(verifier({ clockTolerance: 0 }).verify(sign(claims({ nbf: NOW + 0.5 }))), "token_not_yet_valid");
  });

  it("fails closed when now returns something other than a finite number: an expired token is never accepted", async () => {
    const expired = sign(claims({ iat: 900, exp: 1000 }));
    for (const reading of [undefined, Number.NaN, "1700000000", null, Number.POSITIVE_INFINITY]) {
      const broken = createVerifier({ now: () => reading as unknown as number, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
      const error = await broken.verify(expired).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(ConfigError.is(error), `now() returned ${String(reading)}`).toBe(true);
      expect((error as ConfigError).field).toBe("now");
    }
  });

  it("reads the clock at each verification", async () => {
    let now = NOW;
    const moving = createVerifier({ now: () => now, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
    const token = sign(claims());
    await expect(moving.verify(token)).resolves.toBeDefined();
    now = NOW + 305;
    await expectRefused(moving.verify(token), "token_expired", ["expired 5 s ago"]);
  });
});

describe("claims: audience", () => {
  it("accepts aud as a string or as an array that contains an accepted audience", async () => {
    await expect(verifier().verify(sign(claims({ aud: AUDIENCE })))).resolves.toBeDefined();
    await expect(verifier().verify(sign(claims({ aud: ["https://other.example.com", AUDIENCE] })))).resolves.toBeDefined();
    const several = verifier({ audience: ["urn:first", AUDIENCE] });
    await expect(several.verify(sign(claims({ aud: "urn:first" })))).resolves.toBeDefined();
  });

  it("refuses an aud that contains no accepted audience, and shows both sides", async () => {
    const token = sign(claims({ aud: ["https://other.example.com", "urn:third"] }));
    await expectRefused(verifier({ audience: [AUDIENCE, "urn:mine"] }).verify(token), "audience_mismatch", [
      '"https://other.example.com", "urn:third"',
      `this API accepts "${AUDIENCE}", "urn:mine"`,
      "compared exactly",
    ]);
  });

  for (const aud of [`${AUDIENCE}/`, "https://API.example.com", ` ${AUDIENCE}`, "api.example.com"]) {
    it(`compares audiences exactly: refuses ${JSON.stringify(aud)}`, async () => {
      await expectRefused(verifier().verify(sign(claims({ aud }))), "audience_mismatch", [JSON.stringify(aud), JSON.stringify(AUDIENCE)]);
    });
  }

  it('refuses a token without "aud" and names the audience to request', async () => {
    await expectRefused(verifier().verify(sign(claims({ aud: undefined }))), "audience_mismatch", ['no "aud" claim', JSON.stringify(AUDIENCE)]);
  });

  it("refuses an empty aud array", async () => {
    await expectRefused(verifier().verify(sign(claims({ aud: [] }))), "audience_mismatch", ["(none)"]);
  });

  for (const aud of [42, null, { aud: AUDIENCE }, [AUDIENCE, 7], [[AUDIENCE]], true]) {
    it(`refuses an aud of the wrong type: ${JSON.stringify(aud)} (RFC 7519 §4.1.3)`, async () => {
      await expectRefused(verifier().verify(sign(claims({ aud }))), "audience_mismatch", ["neither a string nor an array of strings", "RFC 7519 §4.1.3"]);
    });
  }

  it("requires an audience at configuration, unless dangerouslyAcceptAnyAudience", () => {
    const missing = verifierConfigError({ issuers: [{ issuer: ISSUER, jwks: jwksOf(key) }] });
    expect(missing.field).toBe("issuers[0].audience");
    expect(missing.message).toContain("dangerouslyAcceptAnyAudience");
    expect(verifierConfigError({ issuers: [{ issuer: ISSUER, jwks: jwksOf(key), audience: "" }] }).field).toBe("issuers[0].audience");
    expect(verifierConfigError({ issuers: [{ issuer: ISSUER, jwks: jwksOf(key), audience: [] }] }).field).toBe("issuers[0].audience");
    const both = verifierConfigError({ issuers: [{ issuer: ISSUER, jwks: jwksOf(key), audience: AUDIENCE, dangerouslyAcceptAnyAudience: true }] });
    expect(both.message).toContain("not both");
  });

  it("accepts any audience, or none, with dangerouslyAcceptAnyAudience", async () => {
    const open = verifier({ audience: undefined, dangerouslyAcceptAnyAudience: true });
    await expect(open.verify(sign(claims({ aud: "https://another-api.example.com" })))).resolves.toBeDefined();
    await expect(open.verify(sign(claims({ aud: undefined })))).resolves.toBeDefined();
  });

  it("reads the audience from another claim with audienceClaim (Cognito's client_id)", async () => {
    const cognito = verifier({ audience: "client-123", audienceClaim: "client_id" });
    await expect(cognito.verify(sign(claims({ aud: undefined, client_id: "client-123" })))).resolves.toBeDefined();
    await expectRefused(cognito.verify(sign(claims({ aud: "client-123" }))), "audience_mismatch", ['no "client_id" claim']);
    await expectRefused(cognito.verify(sign(claims({ client_id: "client-999" }))), "audience_mismatch", ['client_id is "client-999"']);
  });
});

describe("claims: registered claim types (RFC 7519 §4.1)", () => {
  for (const [name, value] of [
    ["sub", 123],
    ["sub", { id: "user-1" }],
    ["sub", ["user-1"]],
    ["jti", 99],
    ["jti", null],
  ] as const) {
    it(`refuses a non-string ${name}: ${JSON.stringify(value)}`, async () => {
      await expectRefused(verifier().verify(sign(claims({ [name]: value }))), "claim_invalid", [
        `"${name}" is ${JSON.stringify(value)}`,
        "must be a string",
        "RFC 7519 §4.1",
      ]);
    });
  }

  it("accepts a token without sub or jti, with subject undefined", async () => {
    const verified = await verifier().verify(sign(claims({ sub: undefined })));
    expect(verified.subject).toBeUndefined();
  });
});

describe("claims: requiredClaims and claims expectations", () => {
  it("refuses a token without a required claim, naming it", async () => {
    const strict = verifier({ requiredClaims: ["sub", "azp"] });
    await expectRefused(strict.verify(sign(claims())), "claim_missing", ['requires "azp"']);
    await expect(strict.verify(sign(claims({ azp: "web" })))).resolves.toBeDefined();
  });

  it("counts a required claim that is present but null as present (requiredClaims checks presence only)", async () => {
    await expect(verifier({ requiredClaims: ["azp"] }).verify(sign(claims({ azp: null })))).resolves.toBeDefined();
  });

  it("refuses a claim unequal to the expected value, showing both", async () => {
    const strict = verifier({ claims: { azp: "web-app", email_verified: true, level: 2 } });
    const base = { azp: "web-app", email_verified: true, level: 2 };
    await expect(strict.verify(sign(claims(base)))).resolves.toBeDefined();
    await expectRefused(strict.verify(sign(claims({ ...base, azp: "mobile-app" }))), "claim_invalid", ['"azp" is "mobile-app"', 'requires "web-app"']);
    await expectRefused(strict.verify(sign(claims({ ...base, email_verified: "true" }))), "claim_invalid", ['"email_verified" is "true"', "requires true"]);
    await expectRefused(strict.verify(sign(claims({ ...base, level: "2" }))), "claim_invalid", ['"level" is "2"']);
    await expectRefused(strict.verify(sign(claims({ ...base, azp: undefined }))), "claim_missing", ['requires "azp" to be "web-app"']);
  });

  it("applies a predicate to the claim and the whole claims set", async () => {
    const seen: unknown[] = [];
    const strict = verifier({
      claims: {
        acr: (value, all) => {
          seen.push(all.sub);
          return value === "mfa";
        },
      },
    });
    await expect(strict.verify(sign(claims({ acr: "mfa" })))).resolves.toBeDefined();
    expect(seen).toEqual(["user-1"]);
    await expectRefused(strict.verify(sign(claims({ acr: "pwd" }))), "claim_invalid", ['"acr" is "pwd"', "fails the issuer policy's predicate"]);
    await expectRefused(strict.verify(sign(claims())), "claim_missing", ['"acr" is absent']);
  });

  it("counts a predicate that throws as a failure", async () => {
    const throwing = verifier({
      claims: {
        roles: (value) => (value as string[]).includes("admin"),
      },
    });
    await expect(throwing.verify(sign(claims({ roles: ["admin"] })))).resolves.toBeDefined();
    await expectRefused(throwing.verify(sign(claims())), "claim_missing", ['"roles" is absent and fails']);
    await expectRefused(throwing.verify(sign(claims({ roles: 5 }))), "claim_invalid", ['"roles" is 5']);
  });

  it("passes a predicate only on true, not on a merely truthy value", async () => {
    const truthy = verifier({ claims: { acr: ((value: unknown) => value) as unknown as (value: unknown) => boolean } });
    await expectRefused(truthy.verify(sign(claims({ acr: "mfa" }))), "claim_invalid", ["predicate"]);
  });

  it("refuses a claims expectation that is neither a value nor a predicate (ConfigError)", () => {
    const error = verifierConfigError({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), claims: { azp: null as unknown as string } }] });
    expect(error.field).toBe("issuers[0].claims.azp");
    expect(verifierConfigError({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), requiredClaims: [] }] }).field).toBe(
      "issuers[0].requiredClaims",
    );
  });
});

describe("claims: the policy's check function", () => {
  it("refuses when check returns false", async () => {
    await expectRefused(verifier({ check: () => false }).verify(sign(claims())), "claim_invalid", ["the issuer policy's check refused the token"]);
  });

  it("refuses with the reason when check returns a string", async () => {
    const error = await expectRefused(verifier({ check: () => "user is suspended" }).verify(sign(claims())), "claim_invalid");
    expect(error.hint).toBe("user is suspended");
  });

  it("still explains the refusal when check returns an empty string", async () => {
    await expectRefused(verifier({ check: () => "" }).verify(sign(claims())), "claim_invalid", ["check refused the token"]);
  });

  it("lets check throw a TokenError with the code it chooses", async () => {
    const check = () => {
      throw new TokenError("access_denied", { hint: "tenant is on the deny list" });
    };
    const error = await expectRefused(verifier({ check }).verify(sign(claims())), "access_denied", ["deny list"]);
    expect(error.status).toBe(403);
  });

  it("turns any other exception from check into claim_invalid with its message", async () => {
    const check = () => {
      throw new RangeError("database said no");
    };
    await expectRefused(verifier({ check }).verify(sign(claims())), "claim_invalid", ["the issuer policy's check threw: database said no"]);
  });

  it("awaits an async check, refusing on false and a reason, accepting on true or undefined", async () => {
    await expectRefused(verifier({ check: async () => false }).verify(sign(claims())), "claim_invalid");
    const error = await expectRefused(verifier({ check: async () => "revoked session" }).verify(sign(claims())), "claim_invalid");
    expect(error.hint).toBe("revoked session");
    await expectRefused(
      verifier({
        check: async () => {
          throw new TokenError("token_replayed", { hint: "jti seen before" });
        },
      }).verify(sign(claims())),
      "token_replayed",
      ["jti seen before"],
    );
    await expect(verifier({ check: async () => true }).verify(sign(claims()))).resolves.toBeDefined();
    await expect(verifier({ check: async () => undefined }).verify(sign(claims()))).resolves.toBeDefined();
  });

  it("gives check the verified claims, header and issuer, and only after every other rule passed", async () => {
    const check = vi.fn((_context: CheckContext) => true);
    const checked = verifier({ check, name: "Main" });
    await checked.verify(sign(claims({ azp: "web" })));
    expect(check).toHaveBeenCalledTimes(1);
    const [context] = check.mock.calls[0] ?? [];
    expect(context?.claims.azp).toBe("web");
    expect(context?.header.kid).toBe("k1");
    expect(context?.issuer).toMatchObject({ issuer: ISSUER, name: "Main" });
    const forged = sign(claims());
    await expectRefused(checked.verify(`${forged.slice(0, -4)}AAAA`), "signature_invalid");
    await expectRefused(checked.verify(sign(claims({ exp: NOW - 60 }))), "token_expired");
    await expectRefused(checked.verify(sign(claims({ aud: "urn:other" }))), "audience_mismatch");
    expect(check).toHaveBeenCalledTimes(1);
  });

  it("refuses a check that is not a function (ConfigError)", () => {
    const error = verifierConfigError({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), check: "yes" as unknown as () => boolean }] });
    expect(error.field).toBe("issuers[0].check");
  });
});

describe("claims: the verified result", () => {
  it("signs with jose and reads the claims back (the control case)", async () => {
    const verified = await verifier().verify(await signToken(key, claims({ custom: { nested: [1, 2] } })));
    expect(verified.claims.custom).toEqual({ nested: [1, 2] });
    expect(verified.expiresAt).toBe(NOW + 300);
    expect(verified.subject).toBe("user-1");
  });
});
