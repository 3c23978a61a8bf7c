import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type JwkSet, type VerifierOptions } from "../../src/index.js";
import { BACKENDS, expectRefused, fetchSpy, NOW, signRaw, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Issuer rules: `iss` (RFC 7519 §4.1.1) is compared byte for byte with the
// configured issuers (RFC 8414 §3.3, OpenID Connect Discovery §4.3), the
// policy is chosen before any key is looked at, and every issuer has its own keys.

const A = "https://a.example.com";
const B = "https://b.example.com";

let keyA: TestKey;
let keyB: TestKey;
let attacker: TestKey;

beforeAll(async () => {
  keyA = await generateKey("ES256", "a1");
  keyB = await generateKey("ES256", "b1");
  attacker = await generateKey("ES256", "evil");
});

describe("issuers: exact match and near misses", () => {
  const verifier = () =>
    createVerifier({
      now: () => NOW,
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(keyA) },
        { issuer: "https://slash.example.com/", audience: AUDIENCE, jwks: jwksOf(keyA) },
      ],
    });

  it("accepts a token whose iss is byte for byte a configured issuer", async () => {
    const verified = await verifier().verify(await signToken(keyA, accessClaims({}, NOW)));
    expect(verified.issuer.issuer).toBe(ISSUER);
    const slash = await verifier().verify(await signToken(keyA, accessClaims({ iss: "https://slash.example.com/" }, NOW)));
    expect(slash.issuer.issuer).toBe("https://slash.example.com/");
  });

  const nearMisses: [string, string, string[]][] = [
    ["a trailing slash the configuration lacks", `${ISSUER}/`, ["trailing slash (the token has one, the configuration does not)"]],
    ["two trailing slashes", `${ISSUER}//`, ["trailing slash"]],
    ["no trailing slash where the configuration has one", "https://slash.example.com", ["trailing slash (the configuration has one, the token does not)"]],
    ["http instead of https", "http://issuer.example.com", ["scheme (http in the token, https configured)"]],
    ["http and a trailing slash", "http://issuer.example.com/", ["scheme and a trailing slash"]],
    ["other letter case", "https://Issuer.Example.com", ["letter case", "byte for byte"]],
    ["a leading space", ` ${ISSUER}`, ["surrounding whitespace"]],
    ["a trailing newline", `${ISSUER}\n`, ["surrounding whitespace"]],
    ['a "www." prefix', "https://www.issuer.example.com", ['"www."']],
  ];
  for (const [name, iss, clues] of nearMisses) {
    it(`refuses an iss that differs by ${name}, and names the difference`, async () => {
      const token = await signToken(keyA, accessClaims({ iss }, NOW));
      await expectRefused(verifier().verify(token), "issuer_untrusted", [...clues, JSON.stringify(iss), "Issuers are compared byte for byte"], token);
    });
  }

  it("refuses an unrelated iss and lists the trusted issuers", async () => {
    const token = await signToken(keyA, accessClaims({ iss: "https://evil.example.com" }, NOW));
    await expectRefused(verifier().verify(token), "issuer_untrusted", [
      '"https://evil.example.com" is none of the trusted issuers',
      JSON.stringify(ISSUER),
      '"https://slash.example.com/"',
      "no keys were fetched",
    ]);
  });

  it("keeps the hint short and on one line for a huge iss with line breaks (no log flooding or forged log lines)", async () => {
    const iss = `https://evil.example.com/\n[INFO] login ok ${"x".repeat(10_000)}`;
    const token = await signToken(keyA, accessClaims({ iss }, NOW));
    const error = await expectRefused(verifier().verify(token), "issuer_untrusted", ["none of the trusted issuers"]);
    expect(error.hint.length).toBeLessThan(1000);
    expect(error.hint).not.toMatch(/[\n\r]/);
  });

  it("refuses a look-alike iss with a Cyrillic letter", async () => {
    const token = await signToken(keyA, accessClaims({ iss: "https://issuer.ex\u0430mple.com" }, NOW));
    await expectRefused(verifier().verify(token), "issuer_untrusted", ["none of the trusted issuers"]);
  });

  it('refuses a token without "iss" (RFC 7519 §4.1.1)', async () => {
    const { iss: _, ...claims } = accessClaims({}, NOW);
    await expectRefused(verifier().verify(await signToken(keyA, claims)), "issuer_untrusted", ['no "iss" claim', "RFC 7519 §4.1.1"]);
  });

  for (const iss of [42, null, true, [ISSUER], { href: ISSUER }]) {
    it(`refuses a non-string iss: ${JSON.stringify(iss)}`, async () => {
      const token = signRaw(keyA.privateKey, { alg: "ES256", kid: keyA.kid }, accessClaims({ iss }, NOW));
      await expectRefused(verifier().verify(token), "issuer_untrusted", ["not a string", "RFC 7519 §4.1.1"]);
    });
  }
});

for (const crypto of BACKENDS) {
  describe(`issuers: each with its own keys (${crypto})`, () => {
    const verifier = () =>
      createVerifier({
        crypto,
        now: () => NOW,
        issuers: [
          { issuer: A, audience: AUDIENCE, jwks: jwksOf(keyA) },
          { issuer: B, audience: AUDIENCE, jwks: jwksOf(keyB) },
        ],
      });

    it("accepts each issuer's tokens with that issuer's keys", async () => {
      expect((await verifier().verify(await signToken(keyA, accessClaims({ iss: A }, NOW)))).issuer.issuer).toBe(A);
      expect((await verifier().verify(await signToken(keyB, accessClaims({ iss: B }, NOW)))).issuer.issuer).toBe(B);
    });

    it("refuses a token claiming issuer A signed with B's key and kid, naming the kids A holds", async () => {
      const token = await signToken(keyB, accessClaims({ iss: A }, NOW));
      await expectRefused(verifier().verify(token), "key_not_found", ['no key has kid "b1"', "the configured jwks holds kids", '"a1"'], token);
    });

    it("refuses a token claiming issuer A signed with B's key under A's kid", async () => {
      const token = signRaw(keyB.privateKey, { alg: "ES256", kid: "a1", typ: "at+jwt" }, accessClaims({ iss: A }, NOW));
      await expectRefused(verifier().verify(token), "signature_invalid", ['key "a1"', "signed by someone else"], token);
    });

    it("ignores jku, x5u and an embedded jwk: keys come only from the issuer's configuration (RFC 8725 §3.10)", async () => {
      const spy = fetchSpy({ "https://a.example.com/jwks": jwksOf(keyA) });
      const remote = createVerifier({ crypto, now: () => NOW, fetchJson: spy.fetchJson, issuers: [{ issuer: A, audience: AUDIENCE, jwksUri: `${A}/jwks` }] });
      const token = await signToken(attacker, accessClaims({ iss: A }, NOW), {
        jku: "https://evil.example.com/jwks",
        x5u: "https://evil.example.com/cert.pem",
        jwk: attacker.jwk,
      });
      await expectRefused(remote.verify(token), "key_not_found", ['no key has kid "evil"', '"a1"']);
      expect(spy.calls.every((url) => url === `${A}/jwks`)).toBe(true);
    });
  });
}

describe("issuers: an unknown issuer costs no request", () => {
  it("refuses an unknown iss before fetching anything, whatever URLs the token names", async () => {
    const spy = fetchSpy({ [`${A}/jwks`]: jwksOf(keyA) });
    const verifier = createVerifier({
      now: () => NOW,
      fetchJson: spy.fetchJson,
      issuers: [
        { issuer: A, audience: AUDIENCE, jwksUri: `${A}/jwks` },
        { issuer: B, audience: AUDIENCE },
      ],
    });
    expect(spy.calls).toEqual([]);
    for (const iss of ["https://evil.example.com", `${A}/`, "https://evil.example.com/.well-known/openid-configuration", "http://127.0.0.1:1/"]) {
      const token = await signToken(attacker, accessClaims({ iss }, NOW), { jku: `${iss}/jwks` });
      await expectRefused(verifier.verify(token), "issuer_untrusted");
    }
    const noIss = await signToken(attacker, { ...accessClaims({}, NOW), iss: undefined });
    await expectRefused(verifier.verify(noIss), "issuer_untrusted");
    expect(spy.calls).toEqual([]);
    // The control: a trusted issuer's token does fetch its JWKS, once.
    await verifier.verify(await signToken(keyA, accessClaims({ iss: A }, NOW)));
    expect(spy.calls).toEqual([`${A}/jwks`]);
  });

  it("refuses an expired grandfathered issuer before fetching its keys", async () => {
    const spy = fetchSpy({ [`${A}/jwks`]: jwksOf(keyA) });
    const verifier = createVerifier({
      now: () => NOW,
      fetchJson: spy.fetchJson,
      issuers: [{ issuer: A, audience: AUDIENCE, jwksUri: `${A}/jwks`, until: NOW - 60 }],
    });
    await expectRefused(verifier.verify(await signToken(keyA, accessClaims({ iss: A }, NOW))), "issuer_untrusted", ["grandfathered"]);
    expect(spy.calls).toEqual([]);
  });

  it("fetches nothing when the verifier is created", () => {
    const spy = fetchSpy();
    createVerifier({ fetchJson: spy.fetchJson, issuers: [{ issuer: A, audience: AUDIENCE }] });
    expect(spy.calls).toEqual([]);
  });
});

describe("issuers: grandfathered issuers (until)", () => {
  const OLD = "https://old.example.com";
  function verifier(until: IssuerPolicy["until"], now = NOW) {
    return createVerifier({
      now: () => now,
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(keyA) },
        { issuer: OLD, audience: AUDIENCE, jwks: jwksOf(keyB), until },
      ],
    });
  }
  const oldToken = () => signToken(keyB, accessClaims({ iss: OLD }, NOW));

  it("refuses a grandfathered issuer after its date, and names the date", async () => {
    const token = await oldToken();
    await expectRefused(verifier("2023-11-01T00:00:00Z").verify(token), "issuer_untrusted", [
      "grandfathered",
      "trusted until 2023-11-01T00:00:00.000Z",
      JSON.stringify(OLD),
    ]);
    await expectRefused(verifier(new Date("2023-06-30T12:00:00Z")).verify(token), "issuer_untrusted", ["2023-06-30T12:00:00.000Z"]);
    await expectRefused(verifier(NOW - 1).verify(token), "issuer_untrusted", [new Date((NOW - 1) * 1000).toISOString()]);
  });

  it("accepts a grandfathered issuer before its date, up to and including that second", async () => {
    const token = await oldToken();
    expect((await verifier("2023-12-01T00:00:00Z").verify(token)).issuer.issuer).toBe(OLD);
    expect((await verifier(new Date((NOW + 3600) * 1000)).verify(token)).issuer.issuer).toBe(OLD);
    expect((await verifier(NOW).verify(token)).issuer.issuer).toBe(OLD);
  });

  it("keeps accepting the new issuer after the old one is retired", async () => {
    await expect(verifier(NOW - 1).verify(await signToken(keyA, accessClaims({}, NOW)))).resolves.toBeDefined();
  });

  it("refuses an until that is not a date (ConfigError)", () => {
    for (const until of ["next spring", Number.NaN, new Date("invalid")]) {
      const error = verifierConfigError({ issuers: [{ issuer: OLD, audience: AUDIENCE, jwks: jwksOf(keyB), until }] });
      expect(error.field).toBe("issuers[0].until");
    }
  });
});

describe("issuers: configuration (ConfigError)", () => {
  it("refuses the same issuer configured twice", () => {
    const error = verifierConfigError({
      issuers: [
        { issuer: A, audience: AUDIENCE, jwks: jwksOf(keyA) },
        { issuer: A, audience: "https://other.example.com", jwks: jwksOf(keyB) },
      ],
    });
    expect(error.field).toBe("issuers[1].issuer");
    expect(error.message).toContain("configured twice");
  });

  it("refuses a duplicate hidden in a preset's array of policies", () => {
    const error = verifierConfigError({
      issuers: [
        { issuer: A, audience: AUDIENCE, jwks: jwksOf(keyA) },
        [
          { issuer: B, audience: AUDIENCE, jwks: jwksOf(keyB) },
          { issuer: A, audience: AUDIENCE, jwks: jwksOf(keyA) },
        ],
      ],
    });
    expect(error.field).toBe("issuers[1][1].issuer");
  });

  for (const issuer of [` ${A}`, `${A} `, `${A}\n`, `\t${A}`]) {
    it(`refuses an issuer with surrounding whitespace: ${JSON.stringify(issuer)}`, () => {
      const error = verifierConfigError({ issuers: [{ issuer, audience: AUDIENCE, jwks: jwksOf(keyA) }] });
      expect(error.field).toBe("issuers[0].issuer");
      expect(error.message).toContain("whitespace");
    });
  }

  it("refuses an empty or missing issuer", () => {
    expect(verifierConfigError({ issuers: [{ issuer: "", audience: AUDIENCE, jwks: jwksOf(keyA) }] }).field).toBe("issuers[0].issuer");
    expect(verifierConfigError({ issuers: [{ audience: AUDIENCE, jwks: jwksOf(keyA) } as unknown as IssuerPolicy] }).field).toBe("issuers[0].issuer");
  });

  it("refuses an empty issuer list", () => {
    expect(verifierConfigError({ issuers: [] }).field).toBe("issuers");
    expect(verifierConfigError({} as VerifierOptions).field).toBe("issuers");
  });

  it("refuses discovery from an http issuer that is not on loopback", () => {
    const error = verifierConfigError({ issuers: [{ issuer: "http://issuer.example.com", audience: AUDIENCE }] });
    expect(error.field).toBe("issuers[0].issuer");
    expect(error.message).toContain("https");
  });

  it("lists the configured issuers without secrets", () => {
    const verifier = createVerifier({
      issuers: [
        { issuer: A, audience: AUDIENCE, jwks: jwksOf(keyA), name: "Issuer A" },
        { issuer: B, audience: [AUDIENCE, "urn:other"], secret: "a shared secret of at least thirty-two bytes" },
      ],
    });
    expect(verifier.issuers).toEqual([
      { issuer: A, name: "Issuer A", audiences: [AUDIENCE], jwksUri: undefined },
      { issuer: B, name: B, audiences: [AUDIENCE, "urn:other"], jwksUri: undefined },
    ]);
    expect(JSON.stringify(verifier.issuers)).not.toContain("thirty-two");
    expect(Object.isFrozen(verifier.issuers)).toBe(true);
  });

  it("accepts a static JWKS given as a plain object (the JwkSet type)", async () => {
    const jwks: JwkSet = { keys: [{ ...keyA.jwk, kty: "EC" }] };
    const verifier = createVerifier({ now: () => NOW, issuers: [{ issuer: A, audience: AUDIENCE, jwks }] });
    await expect(verifier.verify(await signToken(keyA, accessClaims({ iss: A }, NOW)))).resolves.toBeDefined();
  });
});
