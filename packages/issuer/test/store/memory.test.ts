// The memory store's own rules: bounded, failing closed when full (never
// forgetting a live replay mark), sweeping expired records to make room, and
// exact rate-limit answers on a controlled clock.

import { describe, expect, it } from "vitest";
import { createMemoryStore, DEFAULT_MAX_ENTRIES } from "../../src/store/memory.js";
import { StoreUnavailableError } from "../../src/store/types.js";
import { START } from "./harness.js";

function clocked(maxEntries?: number) {
  const clock = { now: START };
  const store = createMemoryStore({ now: () => clock.now, ...(maxEntries === undefined ? {} : { maxEntries }) });
  return { store, clock };
}

describe("the bound (maxEntries)", () => {
  it("when full of live records, refuses new ones (fail closed) with a message naming the bound and the fix", async () => {
    const { store, clock } = clocked(3);
    for (const key of ["a", "b", "c"]) expect(await store.useOnce("ns", key, clock.now + 60_000)).toBe(true);
    const refusal = store.useOnce("ns", "d", clock.now + 60_000);
    await expect(refusal).rejects.toThrow(StoreUnavailableError);
    await expect(refusal).rejects.toThrow(/maxEntries = 3.*cannot record a one-time use.*Redis store/);
    await expect(store.revoke("jti", clock.now + 60_000)).rejects.toThrow(/cannot record a revocation/);
    await expect(store.rateLimit("client", 5, 60_000)).rejects.toThrow(/cannot record a rate-limit window/);
    // What needs no new record still answers: a replay is still refused, a lookup still works.
    expect(await store.useOnce("ns", "a", clock.now + 60_000)).toBe(false);
    expect(await store.isRevoked("jti")).toBe(false);
  });

  it("never forgets a live record to make room: the full store's records are all still replays", async () => {
    const { store, clock } = clocked(100);
    for (let i = 0; i < 100; i++) await store.useOnce("ns", `k${i}`, clock.now + 60_000);
    await expect(store.useOnce("ns", "one-more", clock.now + 60_000)).rejects.toThrow(StoreUnavailableError);
    for (let i = 0; i < 100; i++) expect(await store.useOnce("ns", `k${i}`, clock.now + 60_000)).toBe(false);
  });

  it("makes room by sweeping expired records, of every kind", async () => {
    const { store, clock } = clocked(3);
    await store.useOnce("ns", "short", clock.now + 5_000);
    await store.revoke("short-jti", clock.now + 5_000);
    await store.rateLimit("client", 5, 5_000);
    await expect(store.useOnce("ns", "long", clock.now + 60_000)).rejects.toThrow(StoreUnavailableError);
    clock.now += 5_000;
    expect(await store.useOnce("ns", "long-1", clock.now + 60_000)).toBe(true);
    expect(await store.useOnce("ns", "long-2", clock.now + 60_000)).toBe(true);
    expect(await store.revoke("long-jti", clock.now + 60_000)).toBeUndefined();
    await expect(store.useOnce("ns", "long-3", clock.now + 60_000)).rejects.toThrow(StoreUnavailableError);
  });

  it("a long stream of short-lived records never fills the store: expired ones make room", async () => {
    const { store, clock } = clocked(50);
    // 20 000 records, each living 1 s, one every 100 ms: about 10 alive at a time, far under the bound.
    for (let i = 0; i < 20_000; i++) {
      expect(await store.useOnce("ns", `stream-${i}`, clock.now + 1_000)).toBe(true);
      clock.now += 100;
    }
  });

  it("refuses a bad bound at creation", () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(/maxEntries must be a whole number >= 1/);
    expect(() => createMemoryStore({ maxEntries: 1.5 })).toThrow(RangeError);
    expect(DEFAULT_MAX_ENTRIES).toBe(100_000);
  });
});

describe("rate limit on a controlled clock (windows of 1000 ms, 10 buckets of 100 ms)", () => {
  it("a burst at the start of a window: limit allowed, then retry exactly when that bucket leaves the window", async () => {
    const { store, clock } = clocked();
    for (const remaining of [2, 1, 0]) expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: true, remaining, retryAfterMs: 0 });
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    clock.now += 999;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1 });
    clock.now += 1;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  it("requests spread over the window leave one by one: the retry is when the oldest leaves", async () => {
    const { store, clock } = clocked();
    for (const at of [0, 300, 600]) {
      clock.now = START + at;
      expect((await store.rateLimit("c", 3, 1_000)).allowed).toBe(true);
    }
    clock.now = START + 700;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 300 });
    clock.now = START + 1_000;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    clock.now = START + 1_001;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 299 });
  });

  it("cannot be doubled across a window boundary as a fixed window can", async () => {
    const { store, clock } = clocked();
    clock.now = START + 950;
    for (let i = 0; i < 3; i++) expect((await store.rateLimit("c", 3, 1_000)).allowed).toBe(true);
    clock.now = START + 1_050;
    expect(await store.rateLimit("c", 3, 1_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 850 });
  });

  it("a clock that steps back neither crashes nor answers a negative retry", async () => {
    const { store, clock } = clocked();
    for (let i = 0; i < 3; i++) await store.rateLimit("c", 3, 1_000);
    clock.now -= 5_000;
    const refused = await store.rateLimit("c", 3, 1_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it("the window size is part of the key: two limits on one key do not mix", async () => {
    const { store } = clocked();
    expect(await store.rateLimit("c", 1, 1_000)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect(await store.rateLimit("c", 1, 60_000)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
  });
});
