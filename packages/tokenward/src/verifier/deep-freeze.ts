/**
 * Freezes a parsed JSON value all the way down, without recursion (a 16 KiB
 * token can nest thousands of levels). Verified results are shared between
 * requests through the cache, so no handler may change one in place.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const pending: object[] = [value];
  while (pending.length > 0) {
    const item = pending.pop() as Record<string, unknown>;
    Object.freeze(item);
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const child: unknown = item[i];
        if (typeof child === "object" && child !== null && !Object.isFrozen(child)) pending.push(child);
      }
      continue;
    }
    // for-in rather than Object.values: no array per object. JSON.parse makes
    // plain objects only, so there are no inherited keys to skip.
    for (const key in item) {
      const child = item[key];
      if (typeof child === "object" && child !== null && !Object.isFrozen(child)) pending.push(child);
    }
  }
  return value;
}
