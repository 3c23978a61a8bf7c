import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createVerifiedSecretCache } from "../../src/secrets/verified-secret-cache.js";

// Hashes at the smallest accepted cost, made directly with node:crypto, keep these tests fast.
function encode(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, 32, { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$14$8$1$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

describe("the verified-secret cache", () => {
  it("remembers a verified secret: the next check needs no scrypt", async () => {
    const cache = createVerifiedSecretCache();
    const hash = encode("s3cret");
    expect(cache.lookup("billing", "s3cret", hash)).toBe(false);
    expect(await cache.verify("billing", "s3cret", hash)).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.lookup("billing", "s3cret", hash)).toBe(true);
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(await cache.verify("billing", "s3cret", hash)).toBe(true);
    // 100 scrypt runs would take seconds.
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("never caches a failure", async () => {
    const cache = createVerifiedSecretCache();
    const hash = encode("s3cret");
    expect(await cache.verify("billing", "wrong", hash)).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.lookup("billing", "wrong", hash)).toBe(false);
    expect(await cache.verify("billing", "s3cret", hash)).toBe(true);
    expect(await cache.verify("billing", "wrong", hash)).toBe(false);
    expect(cache.lookup("billing", "wrong", hash)).toBe(false);
    expect(cache.size).toBe(1);
  });

  it("keys entries by client and secret, and checks the hash they were verified against", async () => {
    const cache = createVerifiedSecretCache();
    const hash = encode("s3cret");
    await cache.verify("billing", "s3cret", hash);
    expect(cache.lookup("reports", "s3cret", hash)).toBe(false);
    // A new secretHash (the secret was rotated) makes the old verification worthless.
    expect(cache.lookup("billing", "s3cret", encode("s3cret"))).toBe(false);
    // The NUL separator: ("a", "b\0c") and ("a\0b", "c") are different entries.
    const other = encode("b\0c");
    await cache.verify("a", "b\0c", other);
    expect(cache.lookup("a\0b", "c", other)).toBe(false);
  });

  it("forgets a verification after its TTL, even when it is used", async () => {
    let now = 1_000_000;
    const cache = createVerifiedSecretCache({ ttlMs: 600_000, now: () => now });
    const hash = encode("s3cret");
    await cache.verify("billing", "s3cret", hash);
    now += 599_999;
    expect(cache.lookup("billing", "s3cret", hash)).toBe(true);
    now += 1;
    expect(cache.lookup("billing", "s3cret", hash)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it("holds at most maxEntries, dropping the oldest", async () => {
    const cache = createVerifiedSecretCache({ maxEntries: 3 });
    const entries = ["a", "b", "c", "d", "e"].map((secret) => [secret, encode(secret)] as const);
    for (const [secret, hash] of entries) expect(await cache.verify(`client-${secret}`, secret, hash)).toBe(true);
    expect(cache.size).toBe(3);
    const remembered = entries.map(([secret, hash]) => cache.lookup(`client-${secret}`, secret, hash));
    expect(remembered).toEqual([false, false, true, true, true]);
  });

  it("clears", async () => {
    const cache = createVerifiedSecretCache();
    const hash = encode("s3cret");
    await cache.verify("billing", "s3cret", hash);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.lookup("billing", "s3cret", hash)).toBe(false);
  });
});
