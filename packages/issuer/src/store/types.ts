// The issuer's shared state. The memory store (store/memory.ts) serves one
// process; the Redis store (store/redis.ts) lets several instances behave as
// one issuer: a replayed assertion, a revoked token or a rate limit is seen by
// all of them.

export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in the current window. */
  remaining: number;
  /** When refused: milliseconds until a request would be allowed again. */
  retryAfterMs: number;
}

export interface IssuerStore {
  /**
   * Records `key` in `namespace` until `expiresAtMs` (epoch ms). Resolves true
   * the first time, false when the key is already recorded (a replay).
   * Atomic across every instance sharing the store. Pass the last moment the
   * value could still be accepted (for an assertion: exp plus the clock
   * tolerance). A record is kept at least MIN_RECORD_MS (store/arguments.ts),
   * even when `expiresAtMs` is already past.
   */
  useOnce(namespace: string, key: string, expiresAtMs: number): Promise<boolean>;
  /** Marks a token (by jti) revoked until it would have expired anyway. */
  revoke(jti: string, expiresAtMs: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /**
   * Counts one request for `key` in a window of `windowMs`; at most `limit` are allowed per window
   * (a sliding window: store/sliding-window.ts). Refused requests are not counted.
   */
  rateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  close(): Promise<void>;
}

/** Thrown by a store that cannot answer (Redis down, memory store full): the endpoint answers 503, never 500. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}
