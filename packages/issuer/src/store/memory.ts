// The store of a single issuer process. Every record expires, and memory is
// bounded by `maxEntries`: expired records are dropped when touched, a few
// more on every write (an incremental sweep, no timers), and all of them when
// the bound is reached. If the store is still full then, it refuses to record
// (StoreUnavailableError, answered 503): forgetting a replay mark to make room
// would let a replayed assertion through.

import { checkExpiry, checkRateLimit, checkText, recordTtlMs } from "./arguments.js";
import { keyPart } from "./key-part.js";
import { emptyWindow, slideWindow, type WindowState } from "./sliding-window.js";
import { type IssuerStore, type RateLimitResult, StoreUnavailableError } from "./types.js";

export interface MemoryStoreOptions {
  /** Most records kept at once (replay marks, revocations and rate-limit keys together). Default 100 000. */
  maxEntries?: number;
  /** The clock, in milliseconds since the epoch (tests). Default Date.now. */
  now?: () => number;
}

export const DEFAULT_MAX_ENTRIES = 100_000;

/** Records examined by the incremental sweep on every write: enough to outpace the writes that create them. */
const SWEEP_STEP = 4;

/** A replay mark or revocation (its expiry), or a rate-limit window. */
type Entry = number | WindowState;

export function createMemoryStore(options: MemoryStoreOptions = {}): IssuerStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`createMemoryStore: maxEntries must be a whole number >= 1, got ${String(maxEntries)}`);
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let cursor: Iterator<[string, Entry]> | undefined;
  // No record expires before this instant: while the clock is short of it, a
  // full sweep would free nothing, so a full store refuses without one (a
  // flood of writes to a full store costs O(1) each, not O(maxEntries)).
  let earliestExpiry = Number.POSITIVE_INFINITY;
  let closed = false;

  const expiryOf = (entry: Entry): number => (typeof entry === "number" ? entry : entry.expiresAt);

  /** The live entry under `key`, dropping it if it has expired. */
  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (expiryOf(entry) > at) return entry;
    entries.delete(key);
    return undefined;
  }

  function sweepStep(at: number): void {
    for (let i = 0; i < SWEEP_STEP; i++) {
      cursor ??= entries.entries();
      const next = cursor.next();
      if (next.done) {
        cursor = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (expiryOf(entry) <= at) entries.delete(key);
    }
  }

  function sweepAll(at: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of entries) {
      const expiry = expiryOf(entry);
      if (expiry <= at) entries.delete(key);
      else if (expiry < earliest) earliest = expiry;
    }
    earliestExpiry = earliest;
  }

  /** Makes room for one new entry, or refuses: never drops a live record. */
  function reserve(at: number, what: string): void {
    if (entries.size < maxEntries) return;
    if (at >= earliestExpiry) sweepAll(at);
    if (entries.size < maxEntries) return;
    throw new StoreUnavailableError(
      `The memory store is full: it holds maxEntries = ${maxEntries} records, none expired yet, so it cannot record ${what}. ` +
        'Use the Redis store (store: { "type": "redis", "url": "redis://..." } in the issuer configuration), ' +
        "or raise maxEntries of createMemoryStore if this process has the memory for it.",
    );
  }

  function put(key: string, entry: Entry): void {
    entries.set(key, entry);
    const expiry = expiryOf(entry);
    if (expiry < earliestExpiry) earliestExpiry = expiry;
  }

  function open(): number {
    if (closed) throw new StoreUnavailableError("The memory store was closed (close() was called); create a new store to keep issuing.");
    return now();
  }

  return {
    async useOnce(namespace: string, key: string, expiresAtMs: number): Promise<boolean> {
      checkText("namespace", namespace);
      checkText("key", key);
      checkExpiry(expiresAtMs);
      const at = open();
      sweepStep(at);
      const id = `o:${keyPart(namespace)}:${keyPart(key)}`;
      if (live(id, at) !== undefined) return false;
      reserve(at, "a one-time use (a replay could not be detected)");
      put(id, at + recordTtlMs(expiresAtMs, at));
      return true;
    },

    async revoke(jti: string, expiresAtMs: number): Promise<void> {
      checkText("jti", jti);
      checkExpiry(expiresAtMs);
      const at = open();
      sweepStep(at);
      const id = `r:${keyPart(jti)}`;
      const until = at + recordTtlMs(expiresAtMs, at);
      const existing = live(id, at);
      if (existing === undefined) reserve(at, "a revocation");
      // A second revocation of the same token never shortens the first.
      put(id, Math.max(until, typeof existing === "number" ? existing : 0));
    },

    async isRevoked(jti: string): Promise<boolean> {
      checkText("jti", jti);
      const at = open();
      return live(`r:${keyPart(jti)}`, at) !== undefined;
    },

    async rateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
      checkText("key", key);
      checkRateLimit(limit, windowMs);
      const at = open();
      sweepStep(at);
      // The window size is part of the key: bucket numbers of different windows must never mix.
      const id = `w:${windowMs}:${keyPart(key)}`;
      const existing = live(id, at);
      let state: WindowState;
      if (existing === undefined || typeof existing === "number") {
        reserve(at, "a rate-limit window");
        state = emptyWindow();
      } else state = existing;
      const result = slideWindow(state, at, limit, windowMs);
      if (state.counts.length > 0) put(id, state);
      return result;
    },

    async close(): Promise<void> {
      closed = true;
      entries.clear();
      cursor = undefined;
    },
  };
}
