import type { Answer } from "./observed-fetcher.js";

/**
 * How many seconds the server's clock is ahead of ours (negative: behind),
 * from the Date header of one of its answers; undefined without a usable one.
 * Date is truncated to the second (RFC 9110 §5.6.7), so the middle of that
 * second is the best estimate of when it was written; a cache's Age
 * (RFC 9111 §5.1) is added back, as the answer is that much older than it says.
 */
export function clockSkew(answer: Answer): number | undefined {
  if (answer.date === undefined) return undefined;
  const sent = Date.parse(answer.date);
  if (!Number.isFinite(sent)) return undefined;
  const serverNow = sent + 500 + answer.ageSeconds * 1000;
  return Math.round((serverNow - answer.receivedAt) / 1000);
}
