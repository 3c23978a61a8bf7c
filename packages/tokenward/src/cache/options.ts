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
  return resolveCacheBounds(option, "cache", CACHE_DEFAULTS);
}

/**
 * Any bounded cache's options, checked at start-up: `false` turns it off,
 * absent means the defaults, and each given bound must be a positive number
 * (the verified-token cache's, the introspection cache's).
 */
export function resolveCacheBounds<T extends object>(option: unknown, field: string, defaults: T): T | undefined {
  if (option === false) return undefined;
  if (option === undefined) return defaults;
  if (typeof option !== "object" || option === null || Array.isArray(option))
    throw new ConfigError(field, `must be false, or { ${Object.keys(defaults).join(", ")} }`);
  const resolved: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [name, value] of Object.entries(option)) {
    if (!Object.hasOwn(defaults, name)) throw new ConfigError(`${field}.${name}`, `unknown option; known: ${Object.keys(defaults).join(", ")}`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
      throw new ConfigError(`${field}.${name}`, `must be a positive number (${field}: false turns the cache off)`);
    resolved[name] = value;
  }
  return resolved as T;
}
