// A bound on how long the issuer waits for its store: a request must get a
// 503 quickly, never hang behind a Redis that does not answer.

/** Settles like `work`, or rejects with `timeoutError()` after `ms`; the timer never outlives the race. */
export function withDeadline<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  // Promise.race subscribes to `work`, so a late rejection of it is handled, not reported as unhandled.
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
