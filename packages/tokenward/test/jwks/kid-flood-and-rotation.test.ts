import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier, type JwksOptions } from "../../src/index.js";
import { createJsonFetcher } from "../../src/jwks/fetch-json.js";
import { JWKS_DEFAULTS } from "../../src/jwks/options.js";
import { RemoteKeySource } from "../../src/jwks/remote-key-source.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, refusal, sleep } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

function verifierFor(jwks: JwksOptions, crypto: (typeof BACKENDS)[number] = "node") {
  return createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }], jwks });
}

/** Tokens with random kids, signed by a key the JWKS never publishes. */
async function randomKidTokens(count: number): Promise<string[]> {
  const stranger = await generateKey("ES256");
  return Promise.all(Array.from({ length: count }, () => signToken(stranger, accessClaims(), { kid: randomUUID() })));
}

describe("a flood of unknown kids cannot turn the verifier into a JWKS request amplifier", () => {
  it("within the cool-down, 1,000 unknown kids fail fast with key_not_found and cause no fetch", async () => {
    const known = await generateKey("ES256", "known-kid");
    server.json("/jwks", jwksOf(known));
    const verifier = verifierFor({ cooldownMs: 60_000 });
    const flood = await randomKidTokens(1_000);
    await verifier.verify(await signToken(known, accessClaims()));
    expect(server.count("/jwks")).toBe(1);

    const errors = await Promise.all(flood.map((token) => refusal(verifier.verify(token))));

    expect(server.count("/jwks")).toBe(1);
    for (const error of errors) expect(error.code).toBe("key_not_found");
    const hint = errors[0]?.hint ?? "";
    expect(hint).toMatch(/no key has kid "[0-9a-f-]{36}"/);
    expect(hint).toContain(`the JWKS at ${server.origin}/jwks holds kids "known-kid"`);
    expect(hint).toMatch(/not fetched again.*jwks\.cooldownMs/);
  });

  it("after the cool-down, 1,000 concurrent unknown kids share exactly one refetch", async () => {
    const known = await generateKey("ES256", "known-kid");
    server.json("/jwks", jwksOf(known));
    const verifier = verifierFor({ cooldownMs: 100 });
    const flood = await randomKidTokens(1_000);
    await verifier.verify(await signToken(known, accessClaims()));
    await sleep(120);

    const errors = await Promise.all(flood.map((token) => refusal(verifier.verify(token))));

    expect(server.count("/jwks")).toBe(2);
    for (const error of errors) {
      expect(error.code).toBe("key_not_found");
      expect(error.hint).toContain("The JWKS was fetched again to look for it.");
      expect(error.hint).toContain(`${server.origin}/jwks holds kids "known-kid"`);
    }
  });

  it("a sustained flood costs at most one refetch per cool-down", async () => {
    const cooldownMs = 200;
    const known = await generateKey("ES256", "known-kid");
    server.json("/jwks", jwksOf(known));
    const verifier = verifierFor({ cooldownMs });
    const flood = await randomKidTokens(1_000);

    const start = Date.now();
    await verifier.verify(await signToken(known, accessClaims()));
    // Ten waves of 100 random kids, spread over several cool-downs.
    for (let wave = 0; wave < 10; wave++) {
      const errors = await Promise.all(flood.slice(wave * 100, wave * 100 + 100).map((token) => refusal(verifier.verify(token))));
      for (const error of errors) expect(error.code).toBe("key_not_found");
      await sleep(60);
    }
    const elapsed = Date.now() - start;

    const refetches = server.count("/jwks") - 1;
    // Each refetch starts at least cooldownMs after the attempt before it,
    // the first one after the initial fetch, so in `elapsed` ms there is room
    // for floor(elapsed / cooldownMs) of them at most, whatever the speed of the machine.
    expect(refetches).toBeGreaterThanOrEqual(1);
    expect(refetches).toBeLessThanOrEqual(Math.floor(elapsed / cooldownMs));
    // The known key was never disturbed.
    await verifier.verify(await signToken(known, accessClaims()));
  });
});

describe("key rotation (RFC 7517 §4.5: a new kid means the issuer rotated)", () => {
  for (const crypto of BACKENDS) {
    it(`a token signed with a newly published key triggers one refetch after the cool-down, and verifies (${crypto})`, async () => {
      const current = await generateKey("ES256", "key-2024");
      const next = await generateKey("RS256", "key-2025");
      server.json("/jwks", jwksOf(current));
      const verifier = verifierFor({ cooldownMs: 100 }, crypto);
      await verifier.verify(await signToken(current, accessClaims()));
      expect(server.count("/jwks")).toBe(1);

      // The issuer publishes the next key and starts signing with it.
      server.json("/jwks", jwksOf(current, next));
      const fresh = await signToken(next, accessClaims());
      await sleep(120);

      const verified = await verifier.verify(fresh);
      expect(verified.header.kid).toBe("key-2025");
      expect(server.count("/jwks")).toBe(2);
      // Both keys now verify from the cache.
      await verifier.verify(fresh);
      await verifier.verify(await signToken(current, accessClaims()));
      expect(server.count("/jwks")).toBe(2);
    });
  }

  it("within the cool-down, a just-rotated kid is refused with key_not_found and a hint about the cool-down", async () => {
    const current = await generateKey("ES256", "key-2024");
    const next = await generateKey("ES256", "key-2025");
    server.json("/jwks", jwksOf(current));
    const verifier = verifierFor({ cooldownMs: 60_000 });
    await verifier.verify(await signToken(current, accessClaims()));
    server.json("/jwks", jwksOf(current, next));

    const error = await refusal(verifier.verify(await signToken(next, accessClaims())));
    expect(error.code).toBe("key_not_found");
    expect(error.hint).toContain('no key has kid "key-2025"');
    expect(error.hint).toContain("cool-down");
    expect(server.count("/jwks")).toBe(1);
  });

  it("once the refreshed JWKS no longer lists a key, tokens signed by it are refused with key_not_found", async () => {
    const retired = await generateKey("ES256", "retired");
    const successor = await generateKey("ES256", "successor");
    server.json("/jwks", jwksOf(retired));
    // Keys go stale after 100 ms; the cool-down is long, so only freshness drives the refresh here.
    const verifier = verifierFor({ defaultMaxAgeMs: 100, failureBackoffMs: 20, cooldownMs: 60_000 });
    const old = await signToken(retired, accessClaims());
    await verifier.verify(old);

    // The refreshed set stays fresh for an hour, so nothing below races a further refresh.
    server.json("/jwks", jwksOf(successor), { "cache-control": "max-age=3600" });
    await sleep(150);
    // Past freshness: the request is served from the cached keys while the set is refreshed off the request path.
    await verifier.verify(old);
    // The successor's kid waits for that refresh (or finds it done) and verifies.
    await verifier.verify(await signToken(successor, accessClaims()));
    expect(server.count("/jwks")).toBe(2);

    const error = await refusal(verifier.verify(old));
    expect(error.code).toBe("key_not_found");
    expect(error.hint).toContain('no key has kid "retired"');
    expect(error.hint).toContain('holds kids "successor"');
    expect(server.count("/jwks")).toBe(2);
  });
});

describe("RemoteKeySource.version: what caches of verified tokens key on", () => {
  async function source(clock: { ms: number }): Promise<RemoteKeySource> {
    return new RemoteKeySource(
      "the test JWKS",
      () => `${server.origin}/jwks`,
      createJsonFetcher(),
      { ...JWKS_DEFAULTS, cooldownMs: 1_000, defaultMaxAgeMs: 10_000 },
      () => clock.ms,
    );
  }

  it("bumps when the published keys change, and not when a refetch returns the same keys", async () => {
    const clock = { ms: 1_000_000 };
    const [a, b]: TestKey[] = [await generateKey("ES256", "a"), await generateKey("ES256", "b")];
    server.json("/jwks", jwksOf(a as TestKey));
    const keys = await source(clock);
    expect(keys.version).toBe(0);

    await keys.keys();
    const first = keys.version;
    expect(first).toBeGreaterThan(0);

    clock.ms += 2_000;
    await keys.refreshForUnknownKid();
    expect(keys.version).toBe(first);
    expect(server.count("/jwks")).toBe(2);

    server.json("/jwks", jwksOf(a as TestKey, b as TestKey));
    clock.ms += 2_000;
    const added = await keys.refreshForUnknownKid();
    expect(added?.kids).toEqual(["a", "b"]);
    expect(keys.version).toBe(first + 1);

    server.json("/jwks", jwksOf(b as TestKey));
    clock.ms += 2_000;
    await keys.refreshForUnknownKid();
    expect(keys.version).toBe(first + 2);
  });

  it("allows no refetch for an unknown kid until the cool-down has passed since the last attempt", async () => {
    const clock = { ms: 5_000_000 };
    server.json("/jwks", jwksOf(await generateKey("ES256", "a")));
    const keys = await source(clock);
    await keys.keys();
    expect(keys.refreshForUnknownKid()).toBeUndefined();
    clock.ms += 999;
    expect(keys.refreshForUnknownKid()).toBeUndefined();
    clock.ms += 1;
    const pending = keys.refreshForUnknownKid();
    expect(pending).toBeInstanceOf(Promise);
    // A second unknown kid while that refetch runs waits for the same one.
    expect(keys.refreshForUnknownKid()).toBe(pending);
    await pending;
    expect(server.count("/jwks")).toBe(2);
  });
});
