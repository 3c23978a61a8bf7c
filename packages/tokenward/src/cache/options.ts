import { ConfigError } from "../errors/config-error.js";

/** Bounds of the verified-token cache. */
export interface CacheOptions {
  /** Most tokens remembered. Default 20,000: a working set of 10,000 busy clients fits. */
  readonly maxEntries?: number;
  /** Most (estimated) bytes: the token, its parsed claims and bookkeeping. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Longest an entry lives, whatever the token's `exp`. Default 600 seconds. */
  readonly maxTtlSeconds?: number;
}

export type ResolvedCacheOptions = Required<CacheOptions>;

export const CACHE_DEFAULTS: ResolvedCacheOptions = Object.freeze({ maxEntries: 20_000, maxBytes: 64 * 1024 * 1024, maxTtlSeconds: 600 });

export function resolveCacheOptions(option: false | CacheOptions | undefined): ResolvedCacheOptions | undefined {
  if (option === false) return undefined;
  if (option === undefined) return CACHE_DEFAULTS;
  if (typeof option !== "object" || option === null) throw new ConfigError("cache", "must be false, or { maxEntries, maxBytes, maxTtlSeconds }");
  const resolved: Record<string, number> = { ...CACHE_DEFAULTS };
  for (const [name, value] of Object.entries(option)) {
    if (!Object.hasOwn(CACHE_DEFAULTS, name)) throw new ConfigError(`cache.${name}`, `unknown option; known: ${Object.keys(CACHE_DEFAULTS).join(", ")}`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
      throw new ConfigError(`cache.${name}`, "must be a positive number (cache: false turns the cache off)");
    resolved[name] = value;
  }
  return resolved as unknown as ResolvedCacheOptions;
}
