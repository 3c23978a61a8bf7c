// Remembers secrets that verified, so a legitimate client does not pay a
// full scrypt (tens of milliseconds, 32 MiB) on every token request.
//
// The trade-off: an entry is HMAC-SHA-256(k, clientId NUL secret) under a
// random key k that exists only in this process's memory. Nothing here is
// the secret, and without k an entry is useless. But whoever can read this
// process's memory gets k and the entries, and can then test guesses at
// HMAC speed instead of scrypt speed. That is acceptable because such an
// attacker also sees secrets arriving in requests, and because each entry
// lives at most `ttlMs` after a full verification (a hit does not extend it).
// Secrets from `tokenward secret hash --generate` carry 256 bits and cannot
// be guessed at any speed. Only successes are stored: a wrong secret always
// pays scrypt, so the cache never speeds up guessing.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { verifySecret } from "./hash.js";

export interface VerifiedSecretCacheOptions {
  /** Most remembered verifications; the oldest go first. Default 10,000. */
  maxEntries?: number;
  /** How long a verification is remembered. Default 10 minutes. */
  ttlMs?: number;
  /** Milliseconds since the epoch (tests). */
  now?: () => number;
}

export interface VerifiedSecretCache {
  /** A remembered verification of this secret against exactly this encoded hash, without running scrypt. */
  lookup(clientId: string, secret: string, encodedHash: string): boolean;
  /** lookup, else a full verifySecret; a success is remembered, a failure never. */
  verify(clientId: string, secret: string, encodedHash: string): Promise<boolean>;
  readonly size: number;
  clear(): void;
}

interface Entry {
  /** The encoded hash the secret verified against: a changed secretHash (rotation) invalidates the entry. */
  readonly encodedHash: Buffer;
  readonly expiresAt: number;
}

export function createVerifiedSecretCache(options: VerifiedSecretCacheOptions = {}): VerifiedSecretCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError("maxEntries must be a whole number, 0 or more");
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError("ttlMs must be a number of milliseconds, 0 or more");
  const key = randomBytes(32);
  // Insertion order is expiry order (every entry gets the same TTL, and a
  // refreshed entry is re-inserted), so the first entries are the oldest.
  const entries = new Map<string, Entry>();

  // clientId NUL secret, with the id's length in front: configured ids never hold
  // a NUL, but the key must not depend on that to tell ("a", "b\0c") from ("a\0b", "c").
  const id = (clientId: string, secret: string): string =>
    createHmac("sha256", key).update(`${clientId.length}:${clientId}\0`).update(secret).digest("base64url");

  function lookup(clientId: string, secret: string, encodedHash: string): boolean {
    const name = id(clientId, secret);
    const entry = entries.get(name);
    if (entry === undefined) return false;
    if (entry.expiresAt <= now()) {
      entries.delete(name);
      return false;
    }
    const expected = Buffer.from(encodedHash);
    return expected.length === entry.encodedHash.length && timingSafeEqual(expected, entry.encodedHash);
  }

  function remember(clientId: string, secret: string, encodedHash: string): void {
    if (maxEntries === 0) return;
    const name = id(clientId, secret);
    entries.delete(name);
    const at = now();
    for (const [oldest, entry] of entries) {
      if (entries.size < maxEntries && entry.expiresAt > at) break;
      entries.delete(oldest);
    }
    entries.set(name, { encodedHash: Buffer.from(encodedHash), expiresAt: at + ttlMs });
  }

  return {
    lookup,
    async verify(clientId, secret, encodedHash) {
      if (lookup(clientId, secret, encodedHash)) return true;
      const ok = await verifySecret(secret, encodedHash);
      if (ok) remember(clientId, secret, encodedHash);
      return ok;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
