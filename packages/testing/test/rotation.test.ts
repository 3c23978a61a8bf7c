// Key rotation as real issuers do it, seen by tokenward's JWKS cache and by
// jose's remote JWK Set: overlap (the old key kept), a hard cut (dropped),
// the end of an overlap (removeKey), and keys you bring.
import { generateKeyPairSync } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { createVerifier } from "tokenward";
import { describe, expect, it, vi } from "vitest";
import { createMockIssuer, MockIssuerError } from "../src/index.js";
import { decode, refusedWith } from "./helpers.js";

describe("rotate()", () => {
  it("keeps the previous key published by default: old tokens still verify, new ones carry the new kid", async () => {
    await using issuer = await createMockIssuer();
    const verifier = createVerifier({ issuers: [issuer.policy()], jwks: { cooldownMs: 1 } });
    const [oldKid] = issuer.jwks().keys.map((key) => key.kid);
    const before = await issuer.mint();
    await verifier.verify(before);

    const [newKid] = await issuer.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(issuer.jwks().keys.map((key) => key.kid)).toEqual([oldKid, newKid]);
    const after = await issuer.mint();
    expect(decode(after).header.kid).toBe(newKid);

    // The new kid is unknown to the cached JWKS: tokenward refetches once and finds it.
    await verifier.verify(after);
    await verifier.verify(before);
    expect(issuer.requestCount("jwks")).toBe(2);
    // mint can still sign with the old key (a token issued just before the switch).
    expect(decode(await issuer.mint({}, { keyId: oldKid })).header.kid).toBe(oldKid);
  });

  it("with tokenward's default kid-miss cool-down (30 s after a fetch), a key rotated in right after a fetch is not fetched yet: the counter shows it", async () => {
    await using issuer = await createMockIssuer();
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    await verifier.verify(await issuer.mint());
    await issuer.rotate();
    await refusedWith(verifier.verify(await issuer.mint()), "key_not_found");
    expect(issuer.requestCount("jwks")).toBe(1);
  });

  it("keepPrevious: false drops the old key at once: its tokens are key_not_found", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["ES256"] });
    const verifier = createVerifier({ issuers: [issuer.policy()], jwks: { cooldownMs: 1 } });
    const before = await issuer.mint();
    await verifier.verify(before);
    await issuer.rotate({ keepPrevious: false });
    expect(issuer.jwks().keys).toHaveLength(1);
    await verifier.verify(await issuer.mint());
    // A fresh verifier sees the new JWKS only.
    await refusedWith(createVerifier({ issuers: [issuer.policy()] }).verify(before), "key_not_found");
  });

  it("removeKey ends the overlap; tokenward notices on its next refresh, even while it answers from its caches", async () => {
    await using issuer = await createMockIssuer({ jwksMaxAge: null });
    const verifier = createVerifier({ issuers: [issuer.policy()], jwks: { defaultMaxAgeMs: 50, failureBackoffMs: 20, cooldownMs: 1 } });
    const [oldKid] = issuer.jwks().keys.map((key) => key.kid);
    const before = await issuer.mint();
    await verifier.verify(before);
    await verifier.verify(before);
    await issuer.rotate();
    issuer.removeKey(oldKid as string);
    await vi.waitFor(() => refusedWith(verifier.verify(before), "key_not_found"), { timeout: 3000, interval: 60 });
    await verifier.verify(await issuer.mint());
  });

  it("rotates one algorithm's key, or all of them", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["RS256", "ES256"] });
    expect(await issuer.rotate({ algorithm: "ES256" })).toHaveLength(1);
    expect(issuer.jwks().keys.map((key) => key.alg)).toEqual(["RS256", "ES256", "ES256"]);
    expect(await issuer.rotate()).toHaveLength(2);
    expect(issuer.jwks().keys).toHaveLength(5);
  });

  it("rotates to a key you bring, under your kid", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["EdDSA"] });
    const { privateKey } = generateKeyPairSync("ed25519");
    expect(await issuer.rotate({ key: { alg: "EdDSA", privateKey, kid: "2026-01" } })).toEqual(["2026-01"]);
    const token = await issuer.mint();
    expect(decode(token).header.kid).toBe("2026-01");
    await createVerifier({ issuers: [issuer.policy()] }).verify(token);
  });

  it("refuses what cannot be: removing the signing key, an unknown kid, an algorithm it does not sign with", async () => {
    await using issuer = await createMockIssuer();
    const [kid] = issuer.jwks().keys.map((key) => key.kid);
    for (const attempt of [
      () => issuer.removeKey(kid as string),
      () => issuer.removeKey("nope"),
      () => issuer.rotate({ algorithm: "ES256" }),
      () => issuer.mint({}, { keyId: "nope" }),
      () => issuer.mint({}, { algorithm: "ES256" }),
    ]) {
      const error = await Promise.resolve()
        .then(attempt)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MockIssuerError);
      expect((error as MockIssuerError).code).toBe("invalid_option");
    }
  });
});

describe("jose's createRemoteJWKSet follows rotation", () => {
  it("verifies before and after, refetching on the new kid", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["PS256"] });
    const jwks = createRemoteJWKSet(new URL(issuer.jwksUri), { cooldownDuration: 0 });
    const check = (token: string) => jwtVerify(token, jwks, { issuer: issuer.issuer, audience: issuer.audience, typ: "at+jwt", algorithms: ["PS256"] });
    const before = await issuer.mint();
    await check(before);
    await issuer.rotate();
    await check(await issuer.mint());
    await check(before);
    expect(issuer.requestCount("jwks")).toBe(2);
  });
});
