// The rate-limit rule, by property: its answers are exact (remaining is how
// many more pass now; retryAfterMs is the first moment one passes) and its
// state stays within RATE_BUCKETS counters.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyWindow, RATE_BUCKETS, slideWindow, type WindowState } from "../../src/store/sliding-window.js";

const T0 = Date.UTC(2030, 0, 1);

function copy(state: WindowState): WindowState {
  return { indexes: [...state.indexes], counts: [...state.counts], expiresAt: state.expiresAt };
}

const scenario = fc.record({
  limit: fc.integer({ min: 1, max: 8 }),
  windowMs: fc.integer({ min: 1, max: 10_000 }),
  steps: fc.array(fc.integer({ min: 0, max: 4_000 }), { minLength: 1, maxLength: 60 }),
});

describe("slideWindow", () => {
  it("property: remaining and retryAfterMs are exact, 0 < retryAfterMs <= windowMs, state bounded", () => {
    fc.assert(
      fc.property(scenario, ({ limit, windowMs, steps }) => {
        const state = emptyWindow();
        let now = T0;
        for (const step of steps) {
          now += step;
          const result = slideWindow(state, now, limit, windowMs);
          expect(state.indexes.length).toBeLessThanOrEqual(RATE_BUCKETS);
          expect(state.indexes.length).toBe(state.counts.length);
          if (result.allowed) {
            expect(result.retryAfterMs).toBe(0);
            // Exactly `remaining` more pass at this instant, then one is refused.
            const probe = copy(state);
            for (let i = 0; i < result.remaining; i++) expect(slideWindow(probe, now, limit, windowMs).allowed).toBe(true);
            expect(slideWindow(probe, now, limit, windowMs).allowed).toBe(false);
          } else {
            expect(result.remaining).toBe(0);
            expect(result.retryAfterMs).toBeGreaterThan(0);
            expect(result.retryAfterMs).toBeLessThanOrEqual(windowMs);
            // Refused one millisecond before retryAfterMs, allowed at it.
            if (result.retryAfterMs > 1) expect(slideWindow(copy(state), now + result.retryAfterMs - 1, limit, windowMs).allowed).toBe(false);
            expect(slideWindow(copy(state), now + result.retryAfterMs, limit, windowMs).allowed).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("property: no span shorter than windowMs - windowMs / RATE_BUCKETS ever holds more than `limit` allowed requests", () => {
    fc.assert(
      fc.property(scenario, ({ limit, windowMs, steps }) => {
        const state = emptyWindow();
        const allowedAt: number[] = [];
        let now = T0;
        for (const step of steps) {
          now += step;
          if (slideWindow(state, now, limit, windowMs).allowed) allowedAt.push(now);
        }
        const span = windowMs - windowMs / RATE_BUCKETS;
        for (let i = limit; i < allowedAt.length; i++) expect((allowedAt[i] as number) - (allowedAt[i - limit] as number)).toBeGreaterThanOrEqual(span);
      }),
      { numRuns: 500 },
    );
  });
});
