import { TokenError } from "../errors/token-error.js";
import { KeySet, KeySetFormatError } from "../keys/key-set.js";
import { FetchFailure, type JsonFetcher } from "./fetch-json.js";
import type { KeySource, KeySourceStatus } from "./key-source.js";
import type { ResolvedJwksOptions } from "./options.js";

interface Cached {
  readonly set: KeySet;
  readonly url: string;
  readonly fetchedAt: number;
  readonly freshUntil: number;
}

/** Finds the JWKS URL: a constant, or discovery from the issuer. */
export type JwksLocator = () => string | Promise<string>;

/**
 * One issuer's remote JWKS. It fetches at most one request at a time however
 * many verifications wait; honours `Cache-Control: max-age` within bounds;
 * refreshes in the background once the keys are past fresh, and keeps
 * verifying with them for a bounded stale period while the endpoint fails;
 * allows one refetch for an unknown `kid` per cool-down, so a flood of random
 * kids costs at most one fetch per cool-down.
 */
export class RemoteKeySource implements KeySource {
  version = 0;
  readonly remote = true;
  private cached: Cached | undefined;
  private inflight: Promise<KeySet> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: string | undefined;
  private lastUrl: string | undefined;

  constructor(
    readonly description: string,
    private readonly locate: JwksLocator,
    private readonly fetchJson: JsonFetcher,
    private readonly options: ResolvedJwksOptions,
    private readonly now: () => number = Date.now,
  ) {}

  keys(nowMs?: number): KeySet | Promise<KeySet> {
    const cached = this.cached;
    const now = nowMs ?? this.now();
    if (cached !== undefined) {
      if (now < cached.freshUntil) return cached.set;
      if (now < cached.freshUntil + this.options.staleIfErrorMs) {
        // Serve the keys we have; fetch the new ones off the request path.
        if (this.inflight === undefined && now - this.lastAttemptAt >= this.options.failureBackoffMs) {
          this.refresh().catch(() => undefined);
        }
        return cached.set;
      }
    }
    if (this.inflight !== undefined) return this.inflight;
    if (this.lastError !== undefined && now - this.lastAttemptAt < this.options.failureBackoffMs) {
      return Promise.reject(this.unavailable(`the last fetch failed ${Math.round((now - this.lastAttemptAt) / 1000)} s ago: ${this.lastError}`));
    }
    return this.refresh();
  }

  refreshForUnknownKid(): Promise<KeySet> | undefined {
    if (this.inflight !== undefined) return this.inflight;
    if (this.now() - this.lastAttemptAt < this.options.cooldownMs) return undefined;
    return this.refresh();
  }

  retryAfter(): number {
    const wait = this.lastAttemptAt + this.options.failureBackoffMs - this.now();
    return Math.max(1, Math.ceil(wait / 1000));
  }

  status(): KeySourceStatus {
    return {
      description: this.description,
      url: this.cached?.url ?? this.lastUrl,
      kids: this.cached?.set.kids ?? [],
      ignored: this.cached?.set.ignored ?? [],
      fetchedAt: this.cached?.fetchedAt,
      lastError: this.lastError,
    };
  }

  /** Whether the usable keys are fresh; for tests and reports. */
  get freshUntil(): number | undefined {
    return this.cached?.freshUntil;
  }

  private refresh(): Promise<KeySet> {
    const startedAt = this.now();
    this.lastAttemptAt = startedAt;
    const attempt = this.fetchOnce(startedAt).then(
      (set) => {
        this.inflight = undefined;
        this.lastError = undefined;
        return set;
      },
      (error: unknown) => {
        this.inflight = undefined;
        const detail = error instanceof TokenError ? error.hint : error instanceof Error ? error.message : String(error);
        this.lastError = detail;
        throw error instanceof TokenError ? error : this.unavailable(detail);
      },
    );
    this.inflight = attempt;
    return attempt;
  }

  private async fetchOnce(startedAt: number): Promise<KeySet> {
    const url = await this.locate();
    this.lastUrl = url;
    let fetched: Awaited<ReturnType<JsonFetcher>>;
    try {
      fetched = await this.fetchJson(url, { timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes });
    } catch (error) {
      const detail = error instanceof FetchFailure ? error.message : `the request failed: ${error instanceof Error ? error.message : String(error)}`;
      throw this.unavailable(`fetching ${url}: ${detail}`);
    }
    let set: KeySet;
    try {
      set = KeySet.fromJwks(fetched.body, { symmetric: false, maxKeys: this.options.maxKeys });
    } catch (error) {
      if (error instanceof KeySetFormatError) throw this.unavailable(`${url} did not answer a JWK Set: ${error.message} (RFC 7517 §5)`);
      throw error;
    }
    const { minMaxAgeMs, maxMaxAgeMs, defaultMaxAgeMs } = this.options;
    const maxAge = fetched.maxAgeSeconds === undefined ? defaultMaxAgeMs : Math.min(maxMaxAgeMs, Math.max(minMaxAgeMs, fetched.maxAgeSeconds * 1000));
    if (this.cached?.set.fingerprint !== set.fingerprint) this.version++;
    this.cached = { set, url, fetchedAt: startedAt, freshUntil: startedAt + maxAge };
    return set;
  }

  private unavailable(detail: string): TokenError {
    // Only say the cached keys expired when they did: a failed refetch for an
    // unknown kid (or a background refresh) happens while they still serve.
    const hasStale = this.cached !== undefined && this.now() >= this.cached.freshUntil + this.options.staleIfErrorMs;
    return new TokenError("jwks_unavailable", {
      hint: `Cannot get signing keys from ${this.description}: ${detail}.${hasStale ? " The last good keys are older than the stale-if-error bound (jwks.staleIfErrorMs)." : ""} Check that the URL is reachable from this server and returns {"keys": [...]}.`,
      retryAfter: this.retryAfter(),
    });
  }
}
