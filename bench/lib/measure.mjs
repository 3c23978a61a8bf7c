// One token at a time, as a request handler would: each verification is
// finished (awaited when it returns a promise) before the next starts.

const now = () => performance.now();

/**
 * Operations per second of `op(i)`: rounds of `roundMs` each after a warm-up,
 * the median round reported. `op` may return a promise.
 */
export async function opsPerSecond(op, { roundMs = 500, rounds = 5, warmupMs = 300 } = {}) {
  let i = 0;
  const runFor = async (ms) => {
    const start = now();
    let count = 0;
    let elapsed = 0;
    do {
      for (let j = 0; j < 64; j++) {
        const result = op(i++);
        if (result !== undefined && typeof result.then === "function") await result;
      }
      count += 64;
      elapsed = now() - start;
    } while (elapsed < ms);
    return (count / elapsed) * 1000;
  };
  await runFor(warmupMs);
  const results = [];
  for (let r = 0; r < rounds; r++) results.push(await runFor(roundMs));
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}
