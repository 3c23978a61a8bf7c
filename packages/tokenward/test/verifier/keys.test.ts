import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createVerifier, type JwkSet } from "../../src/index.js";
import { BACKENDS, expectRefused, fetchSpy, NOW, type RawKey, rawKey, signRaw } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Key selection (RFC 7515 §4.1.4, RFC 7517 §4): the token's kid names the
// key, the key must suit the alg, nothing is guessed, and a key_not_found
// hint names the kid asked for and the kids held.

let k1: TestKey;
let k2: TestKey;
let rsa: RawKey;
let ec: RawKey;

beforeAll(async () => {
  k1 = await generateKey("ES256", "k1");
  k2 = await generateKey("ES256", "k2");
  rsa = rawKey("rsa", "rsa");
  ec = rawKey("ec", "ec");
});

const claims = () => accessClaims({}, NOW);

for (const crypto of BACKENDS) {
  describe(`keys: selection by kid (${crypto})`, () => {
    const verifier = (jwks: JwkSet) => createVerifier({ crypto, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks }] });

    it("refuses an unknown kid and names the kid and the kids held", async () => {
      const stranger = await generateKey("ES256", "zzz");
      const token = await signToken(stranger, claims());
      await expectRefused(
        verifier(jwksOf(k1, k2)).verify(token),
        "key_not_found",
        ['no key has kid "zzz"', 'holds kids "k1", "k2"', "the configured jwks"],
        token,
      );
    });

    it("accepts a token without kid when exactly one key suits its alg", async () => {
      const lone = { keys: [{ ...rsa.jwk, kid: undefined }, ec.jwk] } as JwkSet;
      await expect(verifier(lone).verify(signRaw(rsa.privateKey, { alg: "RS256" }, claims()))).resolves.toBeDefined();
      await expect(verifier(lone).verify(signRaw(ec.privateKey, { alg: "ES256" }, claims()))).resolves.toBeDefined();
    });

    it("refuses a token without kid when several keys suit: keys are never tried one by one", async () => {
      const token = await signToken(k1, claims(), { kid: undefined });
      await expectRefused(verifier(jwksOf(k1, k2)).verify(token), "key_not_found", ["no kid and 2 keys suit ES256", "must send a kid"]);
    });

    it("refuses a kid shared by two suitable keys as ambiguous", async () => {
      const twin = await generateKey("ES256", "k1");
      const token = await signToken(k1, claims());
      await expectRefused(verifier(jwksOf(k1, twin)).verify(token), "key_not_found", ['2 keys share kid "k1"', "ambiguous"]);
    });

    it('ignores a key published for encryption (use "enc", RFC 7517 §4.2) and says why', async () => {
      const jwks = { keys: [{ ...k1.jwk, use: "enc" }, k2.jwk] } as JwkSet;
      await expectRefused(verifier(jwks).verify(await signToken(k1, claims())), "key_not_found", ['no key has kid "k1"', "Ignored keys", 'use is "enc"']);
    });

    it('ignores a key whose key_ops lack "verify" (RFC 7517 §4.3)', async () => {
      const jwks = { keys: [{ ...k1.jwk, key_ops: ["encrypt"] }, k2.jwk] } as JwkSet;
      await expectRefused(verifier(jwks).verify(await signToken(k1, claims())), "key_not_found", ['key_ops does not include "verify"']);
    });

    it("ignores a published private key, which anyone could sign with", async () => {
      const leaked = rawKey("ec", "leaked");
      const jwks = { keys: [{ ...leaked.privateKey.export({ format: "jwk" }), kid: "leaked" }, k2.jwk] } as JwkSet;
      const token = signRaw(leaked.privateKey, { alg: "ES256", kid: "leaked" }, claims());
      await expectRefused(verifier(jwks).verify(token), "key_not_found", ["private key material"]);
    });

    it("refuses with key_not_found when the platform cannot import a published key (an EC point off the curve)", async () => {
      const offCurve = { kty: "EC", crv: "P-256", kid: "bad", x: randomBytes(32).toString("base64url"), y: randomBytes(32).toString("base64url") };
      const token = signRaw(ec.privateKey, { alg: "ES256", kid: "bad" }, claims());
      await expectRefused(verifier({ keys: [offCurve] }).verify(token), "key_not_found", ['key "bad"', "cannot use"]);
    });
  });

  describe(`keys: a remote JWKS and an unknown kid (${crypto})`, () => {
    const url = "https://issuer.example.com/jwks";
    // The JWKS cache keeps wall-clock time (Date.now); only Date is faked, to step past the cool-down.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["Date"] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("fetches the JWKS again once for a new kid after the cool-down, and accepts a key the issuer just published", async () => {
      const documents: Record<string, unknown> = { [url]: jwksOf(k1) };
      const spy = fetchSpy(documents);
      const verifier = createVerifier({ crypto, now: () => NOW, fetchJson: spy.fetchJson, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: url }] });
      await verifier.verify(await signToken(k1, claims()));
      expect(spy.calls).toEqual([url]);
      documents[url] = jwksOf(k1, k2);
      vi.setSystemTime(Date.now() + 31_000);
      await expect(verifier.verify(await signToken(k2, claims()))).resolves.toBeDefined();
      expect(spy.calls).toEqual([url, url]);
    });

    it("names the kid, the kids held and the refetch; more unknown kids in the cool-down cost no request", async () => {
      const spy = fetchSpy({ [url]: jwksOf(k1) });
      const verifier = createVerifier({ crypto, now: () => NOW, fetchJson: spy.fetchJson, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: url }] });
      await verifier.verify(await signToken(k1, claims()));
      const early = await signToken(await generateKey("ES256", "new-0"), claims());
      await expectRefused(verifier.verify(early), "key_not_found", ['no key has kid "new-0"', "fetched moments ago", "jwks.cooldownMs"]);
      expect(spy.calls).toEqual([url]);
      vi.setSystemTime(Date.now() + 31_000);
      const first = await signToken(await generateKey("ES256", "new-1"), claims());
      await expectRefused(verifier.verify(first), "key_not_found", ['no key has kid "new-1"', `the JWKS at ${url} holds kids "k1"`, "fetched again"]);
      expect(spy.calls).toEqual([url, url]);
      const second = await signToken(await generateKey("ES256", "new-2"), claims());
      await expectRefused(verifier.verify(second), "key_not_found", ['no key has kid "new-2"', "cool-down"]);
      expect(spy.calls).toEqual([url, url]);
    });
  });
}
