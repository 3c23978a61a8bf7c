// One table of behaviour cases, run against both stores: whatever the issuer
// relies on (a replay refused, a revocation seen, a rate limit kept) must hold
// alike in one process and across instances sharing Redis.

import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_RECORD_MS } from "../../src/store/arguments.js";
import { StoreUnavailableError } from "../../src/store/types.js";
import { type Backend, memoryBackend, redisBackend, type StoreUnderTest } from "./harness.js";

interface Case {
  readonly name: string;
  run(subject: StoreUnderTest): Promise<void>;
}

const HOSTILE_JTI = "j".repeat(10 * 1024);

const cases: Case[] = [
  {
    name: "useOnce: true the first time, false on a replay; namespaces and keys are separate",
    async run({ store, now }) {
      const until = now() + 60_000;
      expect(await store.useOnce("client_assertion", "jti-1", until)).toBe(true);
      expect(await store.useOnce("client_assertion", "jti-1", until)).toBe(false);
      expect(await store.useOnce("client_assertion", "jti-1", until + 60_000)).toBe(false);
      expect(await store.useOnce("client_assertion", "jti-2", until)).toBe(true);
      expect(await store.useOnce("id_jag", "jti-1", until)).toBe(true);
    },
  },
  {
    name: "useOnce: the record expires at expiresAtMs, after which the key is new again",
    async run({ store, now, advance }) {
      expect(await store.useOnce("ns", "short", now() + 1_200)).toBe(true);
      expect(await store.useOnce("ns", "short", now() + 1_200)).toBe(false);
      await advance(1_300);
      expect(await store.useOnce("ns", "short", now() + 1_200)).toBe(true);
    },
  },
  {
    name: "useOnce: an expiry already past still answers true once, and refuses a replay for MIN_RECORD_MS",
    async run({ store, now, advance }) {
      expect(await store.useOnce("ns", "late", now() - 60_000)).toBe(true);
      expect(await store.useOnce("ns", "late", now() - 60_000)).toBe(false);
      await advance(MIN_RECORD_MS + 100);
      expect(await store.useOnce("ns", "late", now() - 60_000)).toBe(true);
    },
  },
  {
    name: "useOnce: of 50 concurrent calls for one key, exactly one is first",
    async run({ store, now }) {
      const until = now() + 60_000;
      const answers = await Promise.all(Array.from({ length: 50 }, () => store.useOnce("client_assertion", "raced", until)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    },
  },
  {
    name: "revoke / isRevoked: revoked until expiresAtMs, only that jti",
    async run({ store, now, advance }) {
      expect(await store.isRevoked("tok-1")).toBe(false);
      await store.revoke("tok-1", now() + 1_200);
      expect(await store.isRevoked("tok-1")).toBe(true);
      expect(await store.isRevoked("tok-2")).toBe(false);
      await advance(1_300);
      expect(await store.isRevoked("tok-1")).toBe(false);
    },
  },
  {
    name: "revoke: a second revocation never shortens the first",
    async run({ store, now, advance }) {
      await store.revoke("tok-long", now() + 60_000);
      await store.revoke("tok-long", now() - 5_000);
      await advance(MIN_RECORD_MS + 100);
      expect(await store.isRevoked("tok-long")).toBe(true);
    },
  },
  {
    name: "rateLimit: allows exactly `limit`, counting down `remaining`, then refuses with 0 < retryAfterMs <= windowMs",
    async run({ store }) {
      const windowMs = 60_000;
      for (let i = 4; i >= 0; i--) expect(await store.rateLimit("client-a", 5, windowMs)).toEqual({ allowed: true, remaining: i, retryAfterMs: 0 });
      const refused = await store.rateLimit("client-a", 5, windowMs);
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(windowMs);
      // Refused requests are not counted: knocking again does not push the retry further out.
      const again = await store.rateLimit("client-a", 5, windowMs);
      expect(again.allowed).toBe(false);
      expect(again.retryAfterMs).toBeLessThanOrEqual(refused.retryAfterMs);
      // Another key has its own window.
      expect(await store.rateLimit("client-b", 5, windowMs)).toEqual({ allowed: true, remaining: 4, retryAfterMs: 0 });
    },
  },
  {
    name: "rateLimit: allowed again once retryAfterMs has passed",
    async run({ store, advance }) {
      expect((await store.rateLimit("client-r", 2, 1_000)).allowed).toBe(true);
      expect((await store.rateLimit("client-r", 2, 1_000)).allowed).toBe(true);
      const refused = await store.rateLimit("client-r", 2, 1_000);
      expect(refused.allowed).toBe(false);
      await advance(refused.retryAfterMs);
      expect((await store.rateLimit("client-r", 2, 1_000)).allowed).toBe(true);
    },
  },
  {
    name: "rateLimit: of 50 concurrent requests with limit 10, exactly 10 pass, each `remaining` once",
    async run({ store }) {
      const results = await Promise.all(Array.from({ length: 50 }, () => store.rateLimit("client-c", 10, 60_000)));
      const allowed = results.filter((result) => result.allowed);
      expect(allowed).toHaveLength(10);
      expect(allowed.map((result) => result.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  },
  {
    name: "hostile keys: a 10 KB jti, unicode, separators and lone surrogates are distinct, working keys",
    async run({ store, now }) {
      const until = now() + 60_000;
      expect(await store.useOnce("ns", HOSTILE_JTI, until)).toBe(true);
      expect(await store.useOnce("ns", HOSTILE_JTI, until)).toBe(false);
      expect(await store.useOnce("ns", `${HOSTILE_JTI}x`, until)).toBe(true);
      await store.revoke(HOSTILE_JTI, until);
      expect(await store.isRevoked(HOSTILE_JTI)).toBe(true);
      expect((await store.rateLimit(HOSTILE_JTI, 1, 60_000)).allowed).toBe(true);

      expect(await store.useOnce("ns", "ключ-🔑", until)).toBe(true);
      expect(await store.useOnce("ns", "ключ-🔑", until)).toBe(false);
      // UTF-8 would turn a lone surrogate into U+FFFD: these must stay two keys.
      expect(await store.useOnce("ns", "\uD800", until)).toBe(true);
      expect(await store.useOnce("ns", "\uFFFD", until)).toBe(true);
      // A ':' inside a part must not move the boundary between namespace and key.
      expect(await store.useOnce("a:b", "c", until)).toBe(true);
      expect(await store.useOnce("a", "b:c", until)).toBe(true);
      expect(await store.useOnce("", "", until)).toBe(true);
      expect(await store.useOnce("", "", until)).toBe(false);
    },
  },
  {
    name: "programming errors are refused with a clear TypeError or RangeError",
    async run({ store, now }) {
      await expect(store.useOnce("ns", "k", Number.NaN)).rejects.toThrow(/expiresAtMs must be a finite number/);
      await expect(store.revoke("k", Number.POSITIVE_INFINITY)).rejects.toThrow(TypeError);
      await expect(store.useOnce("ns", 42 as unknown as string, now())).rejects.toThrow(/key must be a string/);
      await expect(store.rateLimit("k", 0, 1_000)).rejects.toThrow(/limit must be a whole number >= 1/);
      await expect(store.rateLimit("k", 1.5, 1_000)).rejects.toThrow(RangeError);
      await expect(store.rateLimit("k", 1, 0)).rejects.toThrow(/windowMs must be a whole number/);
    },
  },
  {
    name: "after close(), every operation fails with StoreUnavailableError",
    async run({ store, now }) {
      expect(await store.useOnce("ns", "before-close", now() + 60_000)).toBe(true);
      await store.close();
      await expect(store.useOnce("ns", "k", now() + 60_000)).rejects.toThrow(StoreUnavailableError);
      await expect(store.revoke("k", now() + 60_000)).rejects.toThrow(/closed/);
      await expect(store.isRevoked("k")).rejects.toThrow(StoreUnavailableError);
      await expect(store.rateLimit("k", 1, 1_000)).rejects.toThrow(StoreUnavailableError);
      await store.close();
    },
  },
];

/** A batch of useOnce calls made at once; batches follow each other. */
const batches = fc.array(
  fc.array(
    fc.record({
      namespace: fc.constantFrom("client_assertion", "id_jag", "a:b", "a"),
      key: fc.oneof(fc.constantFrom("jti-1", "jti-2", "b:c", "", "\uD800", "\uFFFD"), fc.string({ unit: "binary", maxLength: 6 })),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  { maxLength: 8 },
);

const backends: Backend[] = [memoryBackend(), redisBackend()];

for (const backend of backends) {
  describe(`${backend.name} store`, () => {
    beforeAll(() => backend.setUp());
    afterAll(() => backend.tearDown());

    for (const { name, run } of cases) it(name, async () => run(await backend.create()));

    it("property: any sequence of (concurrent) useOnce calls answers as a Set would", async () => {
      const { store, now } = await backend.create();
      await fc.assert(
        fc.asyncProperty(batches, async (sequence) => {
          // A fresh namespace per run: the store is shared by all runs, the model is not.
          const run = randomUUID();
          const seen = new Set<string>();
          for (const batch of sequence) {
            const answers = await Promise.all(batch.map(({ namespace, key }) => store.useOnce(`${run}/${namespace}`, key, now() + 60_000)));
            const firsts = new Map<string, number>();
            batch.forEach(({ namespace, key }, i) => {
              const id = JSON.stringify([namespace, key]);
              if (answers[i]) firsts.set(id, (firsts.get(id) ?? 0) + 1);
              // Already in the model: every call must be a replay.
              if (seen.has(id)) expect(answers[i]).toBe(false);
            });
            for (const { namespace, key } of batch) {
              const id = JSON.stringify([namespace, key]);
              // New to the model: exactly one of the batch's calls for it is first.
              if (!seen.has(id)) expect(firsts.get(id)).toBe(1);
            }
            for (const { namespace, key } of batch) seen.add(JSON.stringify([namespace, key]));
          }
        }),
        { numRuns: backend.name === "memory" ? 300 : 40 },
      );
    });
  });
}
