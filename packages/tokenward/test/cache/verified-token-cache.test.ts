import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CacheStats, ConfigError, createVerifier, type IssuerPolicy, type Verifier, type VerifierOptions } from "../../src/index.js";
import { expectRefused, NOW, verifierConfigError } from "../helpers/attack.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { sleep } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { outcome } from "../helpers/outcome.js";

// The verified-token cache may only make a repeated verification cheaper: at
// every instant a cached verifier decides exactly as one with `cache: false`.

let key: TestKey;
let otherKey: TestKey;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([generateKey("ES256", "k1"), generateKey("ES256", "k2")]);
});

/** The injected clock every verifier of a test reads (Unix seconds). */
const clock = { now: NOW };
afterEach(() => {
  clock.now = NOW;
});

function verifierWith(options: Partial<VerifierOptions> = {}, policy: Partial<IssuerPolicy> = {}): Verifier {
  return createVerifier({
    crypto: "node",
    now: () => clock.now,
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...policy }],
    ...options,
  });
}

const sign = (claims: Record<string, unknown> = {}, signer: TestKey = key) => signToken(signer, accessClaims(claims, NOW));

/** Verifies `token` `times` times in a row and returns the last result. */
async function verifyTimes(verifier: Verifier, token: string, times: number) {
  let last: Awaited<ReturnType<Verifier["verify"]>> | undefined;
  for (let i = 0; i < times; i++) last = await verifier.verify(token);
  if (last === undefined) throw new Error("verifyTimes needs at least one verification");
  return last;
}

const stats = (verifier: Verifier): CacheStats => ({ ...verifier.cacheStats() });

describe("a repeated token is served from the cache", () => {
  it("is admitted on its second verification and served on its third: the same frozen result, its lists computed once", async () => {
    const verifier = verifierWith();
    const token = await sign({ scope: "read:data write:data", roles: ["admin", "ops"] });

    const first = await verifier.verify(token);
    expect(stats(verifier)).toMatchObject({ entries: 0, hits: 0, misses: 1, bytes: 0 });
    const second = await verifier.verify(token);
    expect(stats(verifier)).toMatchObject({ entries: 1, hits: 0, misses: 2 });
    expect(second).not.toBe(first);
    expect(stats(verifier).bytes).toBeGreaterThan(token.length);

    const third = await verifier.verify(token);
    expect(stats(verifier)).toMatchObject({ entries: 1, hits: 1, misses: 2 });
    expect(third).toBe(second);
    const scopes = third.scopes;
    const roles = third.roles;
    expect(scopes).toEqual(["read:data", "write:data"]);
    expect(roles).toEqual(["admin", "ops"]);

    const fourth = await verifier.verify(token);
    expect(fourth).toBe(second);
    expect(fourth.scopes).toBe(scopes);
    expect(fourth.roles).toBe(roles);
    expect(fourth.permissions).toBe(fourth.permissions);
    expect(stats(verifier)).toMatchObject({ entries: 1, hits: 2, misses: 2 });
  });

  it("with cache: false, every verification is done in full and the stats stay zero", async () => {
    const verifier = verifierWith({ cache: false });
    const token = await sign();
    const results = [await verifier.verify(token), await verifier.verify(token), await verifier.verify(token)];
    for (const result of results) expect(result.claims.sub).toBe("user-1");
    expect(new Set(results).size).toBe(3);
    expect(verifier.cacheStats()).toEqual({ entries: 0, bytes: 0, hits: 0, misses: 0 });
  });

  it("refuses invalid cache options at start-up with a ConfigError naming cache.<field>", () => {
    const options = (cache: unknown) => ({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }], cache });
    const cases: [unknown, string][] = [
      [{ maxEntries: 0 }, "cache.maxEntries"],
      [{ maxEntries: "100" }, "cache.maxEntries"],
      [{ maxBytes: -1 }, "cache.maxBytes"],
      [{ maxBytes: Number.POSITIVE_INFINITY }, "cache.maxBytes"],
      [{ maxTtlSeconds: Number.NaN }, "cache.maxTtlSeconds"],
      [{ maxTTL: 10 }, "cache.maxTTL"],
      [true, "cache"],
      ["on", "cache"],
      [null, "cache"],
    ];
    for (const [cache, field] of cases) {
      const error = verifierConfigError(options(cache));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.field, `cache: ${JSON.stringify(cache)}`).toBe(field);
    }
    expect(() => createVerifier(options({ maxEntries: 10, maxBytes: undefined }) as VerifierOptions)).not.toThrow();
  });
});

describe("a hit re-checks every time rule at the current instant, deciding as a full verification would", () => {
  /** Caches `token` (three verifications at the current clock), then compares both verifiers at `at`. */
  async function afterCaching(policy: Partial<IssuerPolicy>, token: string, at: number) {
    const cached = verifierWith({}, policy);
    const reference = verifierWith({ cache: false }, policy);
    const result = await verifyTimes(cached, token, 3);
    expect(cached.cacheStats().hits).toBe(1);
    clock.now = at;
    const fromCache = await outcome(cached.verify(token));
    const inFull = await outcome(reference.verify(token));
    expect(fromCache).toEqual(inFull);
    return { cached, result, fromCache };
  }

  it("an expired token is refused on what would have been a hit, with the code and hint of a full verification (RFC 7519 §4.1.4)", async () => {
    const token = await sign({ exp: NOW + 60 });
    // The last instant within the 5 s tolerance: still a hit.
    const before = await afterCaching({}, token, NOW + 64.999);
    expect(before.fromCache.accepted).toBe(true);
    expect(before.cached.cacheStats().hits).toBe(2);

    const { cached, fromCache } = await afterCaching({}, token, NOW + 65);
    expect(fromCache).toMatchObject({ accepted: false, code: "token_expired" });
    expect(cached.cacheStats()).toMatchObject({ hits: 1, misses: 3, entries: 0 });
    await expectRefused(cached.verify(token), "token_expired", ["the token expired 5 s ago", "tolerance 5 s"]);
  });

  it("a token cached later is refused as not yet valid when the clock moves back before its nbf (RFC 7519 §4.1.5)", async () => {
    clock.now = NOW + 10;
    const token = await sign({ nbf: NOW });
    const { fromCache } = await afterCaching({}, token, NOW - 5.5);
    expect(fromCache).toMatchObject({ accepted: false, code: "token_not_yet_valid" });
    if (!fromCache.accepted) expect(fromCache.hint).toContain("nbf");
  });

  it("a token cached later is refused as not yet valid when the clock moves back before its iat (RFC 7519 §4.1.6)", async () => {
    clock.now = NOW + 10;
    const token = await sign({ iat: NOW });
    const { fromCache } = await afterCaching({}, token, NOW - 6);
    expect(fromCache).toMatchObject({ accepted: false, code: "token_not_yet_valid" });
    if (!fromCache.accepted) expect(fromCache.hint).toContain("issued");
  });

  it("a token older than maxTokenAge is refused on what would have been a hit", async () => {
    const token = await sign({ iat: NOW, exp: NOW + 3600 });
    const policy = { maxTokenAge: 120, clockTolerance: 0 };
    const within = await afterCaching(policy, token, NOW + 120);
    expect(within.fromCache.accepted).toBe(true);
    const { fromCache } = await afterCaching(policy, token, NOW + 120.5);
    expect(fromCache).toMatchObject({ accepted: false, code: "token_expired" });
    if (!fromCache.accepted) expect(fromCache.hint).toContain("maxTokenAge");
  });

  it("a grandfathered issuer's token is refused with issuer_untrusted once `until` passes, even when cached", async () => {
    const token = await sign({ exp: NOW + 3600 });
    const policy = { until: NOW + 100 };
    const within = await afterCaching(policy, token, NOW + 100);
    expect(within.fromCache.accepted).toBe(true);
    const { fromCache } = await afterCaching(policy, token, NOW + 101);
    expect(fromCache).toMatchObject({ accepted: false, code: "issuer_untrusted" });
    if (!fromCache.accepted) expect(fromCache.hint).toContain("grandfathered");
  });

  it("a clock that returns NaN is a ConfigError, even for a cached token (no comparison with NaN may accept)", async () => {
    const verifier = verifierWith();
    const token = await sign();
    await verifyTimes(verifier, token, 3);
    clock.now = Number.NaN;
    const error = await verifier.verify(token).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(ConfigError.is(error)).toBe(true);
    expect((error as ConfigError).field).toBe("now");
    expect(verifier.cacheStats().hits).toBe(1);
    clock.now = NOW;
    await verifier.verify(token);
    expect(verifier.cacheStats().hits).toBe(2);
  });
});

describe("the policy's own check runs on every verification, hits included", () => {
  for (const kind of ["sync", "async"] as const) {
    it(`a session revoked after the token was cached is refused by the check (${kind})`, async () => {
      const revoked = new Set<string>();
      const decide = (sub: unknown) => (revoked.has(String(sub)) ? "session revoked" : true);
      const check =
        kind === "sync"
          ? ({ claims }: { claims: { sub?: unknown } }) => decide(claims.sub)
          : async ({ claims }: { claims: { sub?: unknown } }) => decide(claims.sub);
      const verifier = verifierWith({}, { check });
      const reference = verifierWith({ cache: false }, { check });
      const token = await sign();
      const cached = await verifyTimes(verifier, token, 3);
      expect(verifier.cacheStats().hits).toBe(1);

      revoked.add("user-1");
      const error = await expectRefused(verifier.verify(token), "claim_invalid");
      expect(error.hint).toBe("session revoked");
      expect(await outcome(verifier.verify(token))).toEqual(await outcome(reference.verify(token)));
      revoked.clear();
      expect(await verifier.verify(token)).toBe(cached);
    });
  }
});

describe("a JWKS change reaches cached tokens", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const fastJwks = { minMaxAgeMs: 50, defaultMaxAgeMs: 50, cooldownMs: 50, failureBackoffMs: 50 };

  /** Serves a JWKS whose keys the test can change, fresh for no time at all (max-age=0). */
  function publish(served: TestServer, path: string, keys: TestKey[]): { set(keys: TestKey[]): void } {
    let current = keys;
    served.route(path, (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=0" }).end(JSON.stringify(jwksOf(...current)));
    });
    return {
      set: (next) => {
        current = next;
      },
    };
  }

  /** Verifies `token` every 20 ms until it is refused, for at most 2 s; returns the refusal. */
  async function untilRefused(verifier: Verifier, token: string) {
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      const result = await outcome(verifier.verify(token));
      if (!result.accepted) return result;
      await sleep(20);
    }
    return undefined;
  }

  it("a token whose key was removed from the JWKS is refused with key_not_found, even though it was cached", async () => {
    const served = await startServer();
    server = served;
    const jwks = publish(served, "/jwks", [key, otherKey]);
    const verifier = verifierWith({ jwks: fastJwks }, { jwks: undefined, jwksUri: `${served.origin}/jwks` });
    const token = await sign();
    await verifyTimes(verifier, token, 3);
    expect(verifier.cacheStats().hits).toBe(1);
    const fetchesBefore = served.count("/jwks");

    jwks.set([otherKey]);
    const refusal = await untilRefused(verifier, token);

    expect(refusal).toMatchObject({ accepted: false, code: "key_not_found" });
    expect(served.count("/jwks")).toBeGreaterThan(fetchesBefore);
    expect(verifier.cacheStats().entries).toBe(0);
  });

  it("a rotation flushes that issuer's entries: the kept key's token is verified in full again, another issuer's entry stays", async () => {
    const served = await startServer();
    server = served;
    const OTHER = "https://other-issuer.example.com";
    const keyA = key;
    const keyB = otherKey;
    const keyC = await generateKey("ES256", "k3");
    const jwks = publish(served, "/jwks", [keyA, keyB]);
    publish(served, "/other/jwks", [keyC]);
    const verifier = createVerifier({
      crypto: "node",
      now: () => clock.now,
      jwks: fastJwks,
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: `${served.origin}/jwks` },
        { issuer: OTHER, audience: AUDIENCE, jwksUri: `${served.origin}/other/jwks` },
      ],
    });
    const tokenA = await sign({}, keyA);
    const tokenB = await sign({}, keyB);
    const tokenC = await signToken(keyC, accessClaims({ iss: OTHER }, NOW));
    await verifyTimes(verifier, tokenA, 3);
    const cachedB = await verifyTimes(verifier, tokenB, 3);
    const cachedC = await verifyTimes(verifier, tokenC, 3);
    expect(stats(verifier)).toMatchObject({ entries: 3, hits: 3 });

    jwks.set([keyB]);
    expect(await untilRefused(verifier, tokenA)).toMatchObject({ accepted: false, code: "key_not_found" });

    const before = stats(verifier);
    const freshB = await verifier.verify(tokenB);
    expect(freshB).not.toBe(cachedB);
    expect(freshB.claims).toEqual(cachedB.claims);
    expect(stats(verifier)).toMatchObject({ hits: before.hits, misses: before.misses + 1 });
    // Seen before, so stored again at once: the next one is a hit on the new entry.
    expect(await verifier.verify(tokenB)).toBe(freshB);

    const hitsBeforeC = stats(verifier).hits;
    expect(await verifier.verify(tokenC)).toBe(cachedC);
    expect(stats(verifier).hits).toBe(hitsBeforeC + 1);
  });
});

describe("different tokens never share an entry", () => {
  it("two tokens with identical claims are two entries with two results", async () => {
    const verifier = verifierWith();
    const claims = accessClaims({}, NOW);
    const [one, two] = [await signToken(key, claims), await signToken(key, claims)];
    expect(one).not.toBe(two); // ES256 signatures are randomised
    expect(one.slice(0, one.lastIndexOf("."))).toBe(two.slice(0, two.lastIndexOf(".")));
    await verifyTimes(verifier, one, 2);
    await verifyTimes(verifier, two, 2);
    expect(stats(verifier)).toMatchObject({ entries: 2, hits: 0 });
    const [hitOne, hitTwo] = [await verifier.verify(one), await verifier.verify(two)];
    expect(hitOne).not.toBe(hitTwo);
    expect(stats(verifier)).toMatchObject({ entries: 2, hits: 2 });
  });

  it("a forged token with a cached token's last 43 characters is refused, counts as a miss and does not evict the genuine entry", async () => {
    const verifier = verifierWith();
    const genuine = await sign({ sub: "user-1" });
    const cached = await verifyTimes(verifier, genuine, 3);
    const [header, , signature] = genuine.split(".") as [string, string, string];
    const tail = genuine.slice(-43);

    // The payload changed, the signature kept; and the signature's first byte changed, its tail kept.
    const payload = Buffer.from(JSON.stringify(accessClaims({ sub: "admin" }, NOW))).toString("base64url");
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    const forgeries = [`${header}.${payload}.${signature}`, `${genuine.slice(0, genuine.lastIndexOf(".") + 1)}${flipped}`];
    for (const forged of forgeries) {
      expect(forged.slice(-43)).toBe(tail);
      const before = stats(verifier);
      for (let i = 0; i < 3; i++) await expectRefused(verifier.verify(forged), "signature_invalid", [], forged);
      expect(stats(verifier)).toMatchObject({ entries: 1, hits: before.hits, misses: before.misses + 3 });
      expect(await verifier.verify(genuine)).toBe(cached);
      expect(stats(verifier).hits).toBe(before.hits + 1);
    }
  });
});

describe("the cache stays within its bounds", () => {
  it("maxEntries: 5 keeps at most five of ten tokens, the five most recent", async () => {
    const verifier = verifierWith({ cache: { maxEntries: 5 } });
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => sign({ sub: `user-${i}` })));
    for (const token of tokens) {
      await verifyTimes(verifier, token, 2);
      expect(verifier.cacheStats().entries).toBeLessThanOrEqual(5);
    }
    expect(verifier.cacheStats().entries).toBe(5);
    // The newest five are hits (checked newest first, so no hit moves an entry the next check needs).
    for (const token of tokens.slice(5).reverse()) await verifier.verify(token);
    expect(verifier.cacheStats().hits).toBe(5);
    const { misses } = verifier.cacheStats();
    await verifier.verify(tokens[0] as string);
    expect(verifier.cacheStats()).toMatchObject({ hits: 5, misses: misses + 1 });
  });

  it("a small maxBytes keeps the estimated bytes under the bound", async () => {
    const maxBytes = 3_000;
    const verifier = verifierWith({ cache: { maxBytes } });
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => sign({ sub: `user-${i}` })));
    let admitted = 0;
    for (const token of tokens) {
      await verifyTimes(verifier, token, 2);
      const { bytes, entries } = verifier.cacheStats();
      expect(bytes).toBeLessThanOrEqual(maxBytes);
      admitted = Math.max(admitted, entries);
    }
    // Each entry is estimated at more than 1 KiB: the bound holds at most two.
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThan(tokens.length);
    expect(verifier.cacheStats().bytes).toBeGreaterThan(0);
  });

  it("an entry larger than maxBytes is never stored, and verification still succeeds", async () => {
    const verifier = verifierWith({ cache: { maxBytes: 100 } });
    const token = await sign();
    await verifyTimes(verifier, token, 3);
    expect(verifier.cacheStats()).toMatchObject({ entries: 0, bytes: 0, hits: 0, misses: 3 });
  });

  it("maxTtlSeconds: 10 ends an entry after 10 s of clock; the next verification is a full one that succeeds", async () => {
    const verifier = verifierWith({ cache: { maxTtlSeconds: 10 } });
    const token = await sign({ exp: NOW + 3600 });
    const cached = await verifyTimes(verifier, token, 3);
    clock.now = NOW + 9.999;
    expect(await verifier.verify(token)).toBe(cached);
    expect(verifier.cacheStats()).toMatchObject({ hits: 2, misses: 2 });

    clock.now = NOW + 10;
    const fresh = await verifier.verify(token);
    expect(fresh).not.toBe(cached);
    expect(fresh.claims).toEqual(cached.claims);
    expect(verifier.cacheStats()).toMatchObject({ hits: 2, misses: 3, entries: 1 });
    expect(await verifier.verify(token)).toBe(fresh);
  });
});

describe("cached results are shared, so they are frozen all the way down", () => {
  it("assigning into the claims, a nested object or a nested array of a cached result throws a TypeError", async () => {
    const verifier = verifierWith();
    const token = await sign({ org: { name: "acme", teams: ["red", { name: "blue", members: ["ann"] }] }, roles: ["reader"] });
    const result = await verifyTimes(verifier, token, 3);
    expect(verifier.cacheStats().hits).toBe(1);
    type Team = string | { name: string; members: string[] };
    const claims = result.claims as unknown as { sub: string; exp?: number; org: { name: string; admin?: boolean; teams: Team[] } };
    expect(() => {
      claims.sub = "admin";
    }).toThrow(TypeError);
    expect(() => {
      delete claims.exp;
    }).toThrow(TypeError);
    expect(() => {
      claims.org.name = "evil";
    }).toThrow(TypeError);
    expect(() => {
      claims.org.admin = true;
    }).toThrow(TypeError);
    expect(() => {
      claims.org.teams.push("root");
    }).toThrow(TypeError);
    expect(() => {
      claims.org.teams[0] = "root";
    }).toThrow(TypeError);
    expect(() => {
      (claims.org.teams[1] as Exclude<Team, string>).members.push("mallory");
    }).toThrow(TypeError);
    expect(() => {
      (result.roles as string[]).push("admin");
    }).toThrow(TypeError);
    expect(() => {
      (result as unknown as Record<string, unknown>).claims = {};
    }).toThrow(TypeError);

    const again = await verifier.verify(token);
    expect(again).toBe(result);
    expect(again.claims).toEqual(accessClaims({ org: { name: "acme", teams: ["red", { name: "blue", members: ["ann"] }] }, roles: ["reader"] }, NOW));
    expect(again.roles).toEqual(["reader"]);
  });
});
