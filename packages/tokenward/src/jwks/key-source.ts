import type { KeySet } from "../keys/key-set.js";

/**
 * Where one issuer's keys come from: a static set, a JWKS URL, or discovery.
 * The verifier asks for the current keys, and after a `kid` it has never
 * seen, for one refresh; the source decides whether a fetch is allowed.
 */
export interface KeySource {
  /** For hints: "the JWKS at https://…" or "the configured jwks". */
  readonly description: string;
  /** Whether the keys are fetched (and can change), or configured. */
  readonly remote: boolean;
  /** Bumped whenever the usable keys change (rotation): caches of verified tokens key on it. */
  readonly version: number;
  /**
   * The keys to verify with now. Synchronous whenever they are cached.
   * `nowMs`: the wall clock (Date.now) as the caller just read it, which
   * spares a second reading on the cache-hit path.
   */
  keys(nowMs?: number): KeySet | Promise<KeySet>;
  /** After an unknown kid: a refreshed set, or undefined when no fetch is allowed yet (cool-down). */
  refreshForUnknownKid(): Promise<KeySet> | undefined;
  /** Seconds until a fetch may be tried again; for Retry-After. */
  retryAfter(): number;
  /** What was last heard from the source, for `warmUp` and doctor reports. */
  status(): KeySourceStatus;
}

export interface KeySourceStatus {
  readonly description: string;
  readonly url: string | undefined;
  readonly kids: readonly string[];
  readonly ignored: readonly string[];
  readonly fetchedAt: number | undefined;
  readonly lastError: string | undefined;
}

export class StaticKeySource implements KeySource {
  readonly version = 0;
  readonly remote = false;
  constructor(
    private readonly set: KeySet,
    readonly description: string,
  ) {}
  keys(): KeySet {
    return this.set;
  }
  refreshForUnknownKid(): undefined {
    return undefined;
  }
  retryAfter(): number {
    return 0;
  }
  status(): KeySourceStatus {
    return { description: this.description, url: undefined, kids: this.set.kids, ignored: this.set.ignored, fetchedAt: undefined, lastError: undefined };
  }
}
