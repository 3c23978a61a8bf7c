import type { KeySource } from "../jwks/key-source.js";
import { Lru } from "./lru.js";
import type { ResolvedCacheOptions } from "./options.js";

/** One remembered verification. */
export interface Entry<T, W, C> {
  /** The whole token: a hit requires it to be equal, character for character. */
  readonly token: string;
  readonly result: T;
  /** The time claims and bounds, re-checked at every hit. */
  readonly times: W;
  /** The issuer's keys: when their version moves (rotation), the issuer's entries no longer count. */
  readonly keys: KeySource;
  readonly keysVersion: number;
  /** Unix seconds: the entry's own maximum life, whatever the token's `exp`. */
  readonly storedUntil: number;
  /** What must still run on every hit (the issuer policy's own check), if anything. */
  readonly recheck: C | undefined;
}

export interface CacheStats {
  readonly entries: number;
  /** Estimated bytes held. */
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
}

// The doorkeeper: a Bloom filter of 2^20 bits (128 KiB) probed 3 times per
// token, emptied after 2^17 tokens so it stays sparse (false positives, which
// only admit a token early, stay near 3%).
const DOOR_BITS = 20;
const DOOR_PROBES = 3;
const DOOR_RESET_AFTER = 1 << 17;

// How many trailing characters index an entry: 16 base64url characters are
// 96 bits of signature (the very last character may carry only 2 of its 6).
const INDEX_CHARS = 16;

/**
 * The entry index of a token: a 30-bit hash of the end of its signature,
 * seeded per cache. A small integer, not the characters themselves, because
 * a Map finds an integer key without hashing (and then comparing) a fresh
 * string: under load, with the cache out of the processor's caches, that was
 * the largest single cost of a hit. Two tokens that share an index are told
 * apart by the whole-token comparison in lookup(); the seed keeps their
 * indexes from being computed in advance.
 */
function indexOf(token: string, seed: number): number {
  let hash = seed;
  for (let i = Math.max(0, token.length - INDEX_CHARS); i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  // Final avalanche (from MurmurHash3's fmix32), then 30 bits: a small integer on every V8 platform.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 2;
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

/**
 * Verified tokens, each found by a hash of the end of its signature and then
 * confirmed by comparing the whole token: never matched on a prefix, a `jti`
 * or a hash alone, so two tokens never share an entry. (Hashing only a short
 * suffix for the lookup spares hashing a kilobyte-long string on every
 * request; the full comparison is what decides. Two verified tokens whose
 * 30-bit indexes collide, 0.2 such pairs in a full default cache of 20,000,
 * only make the later one miss while the earlier is kept.)
 * A hit re-checks the time rules at the current instant (with the same
 * function a full verification uses) and the issuer's key version, so it
 * decides exactly as a full verification would; an entry that no longer
 * holds is dropped and the token verified in full, which names the failure.
 *
 * A token is admitted on its second verification, not its first (the
 * "doorkeeper" of TinyLFU, Einziger et al. 2017): tokens seen once, as in a
 * stream of distinct tokens or a flood of one-off ones, never displace the
 * working set and cost no insertion. The doorkeeper only remembers hashes of
 * each token's signature in a Bloom filter; the cache itself is keyed by the
 * whole token, so a hash collision can only admit a token early.
 */
export class VerifiedTokenCache<T, W, C = unknown> {
  private readonly lru: Lru<Entry<T, W, C>, number>;
  private readonly seed = randomSeed();
  private hits = 0;
  private misses = 0;
  private readonly door = new Uint32Array((1 << DOOR_BITS) >>> 5);
  private doorEntries = 0;

  constructor(
    readonly options: ResolvedCacheOptions,
    private readonly timeFailure: (times: W, now: number) => unknown,
  ) {
    this.lru = new Lru(options.maxEntries, options.maxBytes);
  }

  /** `now` in Unix seconds for the time rules; `nowMs`, the wall clock just read, for the key source. */
  lookup(token: string, now: number, nowMs?: number): Entry<T, W, C> | undefined {
    const index = indexOf(token, this.seed);
    const entry = this.lru.get(index);
    // Another token with the same index is a stranger (forged, most likely):
    // a miss, and the entry stays, so strangers cannot evict it.
    if (entry !== undefined && entry.token === token) {
      if (now < entry.storedUntil && entry.keys.version === entry.keysVersion && this.timeFailure(entry.times, now) === undefined) {
        // keys() also starts a background refresh once the keys are past
        // fresh, so a rotation is noticed even when every request hits. A
        // promise means no usable keys now: a full verification must say so.
        const keys = entry.keys.keys(nowMs);
        if (!(keys instanceof Promise)) {
          this.hits++;
          return entry;
        }
        keys.catch(() => undefined);
      }
      this.lru.delete(index);
    }
    this.misses++;
    return undefined;
  }

  store(token: string, result: T, times: W, keys: KeySource, keysVersion: number, recheck: C | undefined, now: number, bytes: number): void {
    if (!this.seenBefore(token)) return;
    this.lru.set(indexOf(token, this.seed), { token, result, times, keys, keysVersion, storedUntil: now + this.options.maxTtlSeconds, recheck }, bytes);
  }

  clear(): void {
    this.lru.clear();
    this.door.fill(0);
    this.doorEntries = 0;
  }

  /** Whether this token was seen by an earlier verification (as far as the doorkeeper knows); records it if not. */
  private seenBefore(token: string): boolean {
    // The last characters of a verified token are its signature: as good as
    // random, so two hashes of a few of them (FNV-1a) make the probes.
    const end = token.length;
    let first = 0x811c9dc5;
    let second = 0x01000193;
    for (let i = Math.max(0, end - 12); i < end; i++) first = Math.imul(first ^ token.charCodeAt(i), 0x01000193);
    for (let i = Math.max(0, end - 24); i < end - 12; i++) second = Math.imul(second ^ token.charCodeAt(i), 0x01000193);
    second |= 1;
    let seen = true;
    for (let probe = 0; probe < DOOR_PROBES; probe++) {
      const bit = (first + Math.imul(probe, second)) >>> (32 - DOOR_BITS);
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      const bits = this.door[word] ?? 0;
      if ((bits & mask) === 0) {
        seen = false;
        this.door[word] = bits | mask;
      }
    }
    if (!seen && ++this.doorEntries >= DOOR_RESET_AFTER) {
      this.door.fill(0);
      this.doorEntries = 0;
    }
    return seen;
  }

  stats(): CacheStats {
    return { entries: this.lru.size, bytes: this.lru.bytes, hits: this.hits, misses: this.misses };
  }
}
