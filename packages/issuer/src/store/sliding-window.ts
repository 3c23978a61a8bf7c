// The rate-limit rule of both stores: a sliding window of RATE_BUCKETS
// buckets. Time is cut into buckets of windowMs / RATE_BUCKETS (aligned to
// the epoch, so every instance sharing a Redis agrees on them); a request is
// allowed when fewer than `limit` requests were allowed in the last
// RATE_BUCKETS buckets (the current one included). Unlike a fixed window, a
// client cannot spend its whole limit at the end of one window and again at
// the start of the next; unlike a log of timestamps, the state per key is
// bounded (at most RATE_BUCKETS counters) whatever the limit.
//
// The answers are exact for this rule: `remaining` is how many more requests
// would be allowed now, and `retryAfterMs` is when the oldest buckets holding
// enough requests leave the window, so a request then is allowed. Since the
// oldest counted bucket leaves within one window, 0 < retryAfterMs <= windowMs.
// Refused requests are not counted: a client that keeps knocking gets in as
// soon as its rate falls back under the limit.
//
// store/redis-scripts.ts runs the same arithmetic in Lua; keep them in step.

import type { RateLimitResult } from "./types.js";

export const RATE_BUCKETS = 10;

/** Per key: the non-empty buckets, oldest first (at most RATE_BUCKETS). */
export interface WindowState {
  readonly indexes: number[];
  readonly counts: number[];
  /** When the newest bucket leaves the window: the state is worthless from then on. */
  expiresAt: number;
}

export function emptyWindow(): WindowState {
  return { indexes: [], counts: [], expiresAt: 0 };
}

/** Counts one request at `nowMs` into `state` (mutated) and answers it. */
export function slideWindow(state: WindowState, nowMs: number, limit: number, windowMs: number): RateLimitResult {
  const { indexes, counts } = state;
  const oldest = Math.floor((nowMs * RATE_BUCKETS) / windowMs) - RATE_BUCKETS + 1;
  let stale = 0;
  while (stale < indexes.length && (indexes[stale] as number) < oldest) stale++;
  indexes.splice(0, stale);
  counts.splice(0, stale);
  let total = 0;
  for (const count of counts) total += count;

  if (total < limit) {
    // A clock that stepped back leaves newer buckets than "now": count into the newest.
    const current = Math.max(oldest + RATE_BUCKETS - 1, indexes.at(-1) ?? Number.NEGATIVE_INFINITY);
    if (indexes.at(-1) === current) counts[counts.length - 1] = (counts.at(-1) as number) + 1;
    else {
      indexes.push(current);
      counts.push(1);
    }
    state.expiresAt = leavesWindowAt(current, windowMs);
    return { allowed: true, remaining: limit - total - 1, retryAfterMs: 0 };
  }

  // Refused: wait until enough of the oldest requests have left the window.
  const mustLeave = total - limit + 1;
  let left = 0;
  for (let i = 0; i < indexes.length; i++) {
    left += counts[i] as number;
    if (left >= mustLeave) return { allowed: false, remaining: 0, retryAfterMs: leavesWindowAt(indexes[i] as number, windowMs) - nowMs };
  }
  // Unreachable: total >= limit >= 1, so the loop returns.
  throw new Error("sliding window: counts do not add up");
}

/** The first millisecond at which bucket `index` is no longer one of the last RATE_BUCKETS buckets. */
function leavesWindowAt(index: number, windowMs: number): number {
  return Math.ceil(((index + RATE_BUCKETS) * windowMs) / RATE_BUCKETS);
}
