// Argument checks and the record lifetime rule shared by both stores, so that
// the memory and Redis stores refuse the same programming errors with the
// same messages and keep records for the same time.

/**
 * The shortest time a record (a replay mark or a revocation) is kept. A record
 * whose expiry is already past is still stored this long: the caller has just
 * accepted the value, so an identical request in the next moment (two issuer
 * instances receiving one replayed assertion at once) must still be refused.
 * (Redis would delete a key given an expiry in the past at once, answering
 * "first time" to every replay.)
 */
export const MIN_RECORD_MS = 1_000;

export function checkText(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`IssuerStore: ${name} must be a string, got ${typeof value}`);
}

export function checkExpiry(value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError("IssuerStore: expiresAtMs must be a finite number of milliseconds since the epoch (for a JWT: exp * 1000)");
  }
}

export function checkRateLimit(limit: unknown, windowMs: unknown): asserts limit is number {
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`IssuerStore: rateLimit limit must be a whole number >= 1, got ${String(limit)} (to turn a limit off, do not call rateLimit)`);
  }
  if (typeof windowMs !== "number" || !Number.isSafeInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`IssuerStore: rateLimit windowMs must be a whole number of milliseconds >= 1, got ${String(windowMs)}`);
  }
}

/** Milliseconds to keep a record that should live until `expiresAtMs`: at least MIN_RECORD_MS. */
export function recordTtlMs(expiresAtMs: number, nowMs: number): number {
  // The cap keeps PX within Redis's range however far away the expiry is.
  return Math.min(Math.max(Math.ceil(expiresAtMs - nowMs), MIN_RECORD_MS), Number.MAX_SAFE_INTEGER - nowMs);
}
