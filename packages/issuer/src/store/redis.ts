// The store shared by several issuer instances: a replayed assertion, a
// revoked token or a client's rate limit is seen by all of them. Every
// operation is one atomic Redis command or script, and answers (or fails with
// StoreUnavailableError, answered 503) within about commandTimeoutMs.
//
// Keys: <prefix>once:<namespace>:<key>, <prefix>revoked:<jti> and
// <prefix>rate:<windowMs>:<key>, each user-controlled part passed through
// keyPart (short plain values kept, anything else a fixed-size digest).

import type { Redis } from "ioredis";
import { checkExpiry, checkRateLimit, checkText, recordTtlMs } from "./arguments.js";
import { keyPart } from "./key-part.js";
import { createRedisConnection } from "./redis-connection.js";
import { RATE_LIMIT, REVOKE, runScript } from "./redis-scripts.js";
import { RATE_BUCKETS } from "./sliding-window.js";
import { type IssuerStore, type RateLimitResult, StoreUnavailableError } from "./types.js";

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL (a password may be in it; it is never shown). Default redis://127.0.0.1:6379. */
  url?: string;
  /** An ioredis client you own, instead of `url`: used as is (its own options apply) and not closed by close(). */
  client?: Redis;
  /** Prepended to every key. Default "tokenward:". */
  keyPrefix?: string;
  /**
   * The issuer's clock in milliseconds since the epoch (tests). Expiries are
   * turned into lifetimes on this clock (SET ... PX), so a Redis server whose
   * clock is off cannot make a replay mark expire early. Rate-limit windows
   * use the Redis server's clock, the one clock all instances share.
   */
  now?: () => number;
  /** The longest wait for a connection, and then for a command. Default 1000. */
  commandTimeoutMs?: number;
}

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
export const DEFAULT_KEY_PREFIX = "tokenward:";
const MAX_KEY_PREFIX = 256;

export function createRedisStore(options: RedisStoreOptions = {}): IssuerStore {
  if (options.url !== undefined && options.client !== undefined) {
    throw new TypeError("createRedisStore: give either url or client, not both");
  }
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== "string" || keyPrefix.length > MAX_KEY_PREFIX) {
    throw new TypeError(`createRedisStore: keyPrefix (store.keyPrefix) must be a string of at most ${MAX_KEY_PREFIX} characters`);
  }
  const timeoutMs = options.commandTimeoutMs ?? 1_000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`createRedisStore: commandTimeoutMs must be a whole number of milliseconds >= 1, got ${String(timeoutMs)}`);
  }
  const now = options.now ?? Date.now;
  const connection = createRedisConnection({ url: options.url ?? DEFAULT_REDIS_URL, client: options.client, timeoutMs });

  return {
    async useOnce(namespace: string, key: string, expiresAtMs: number): Promise<boolean> {
      checkText("namespace", namespace);
      checkText("key", key);
      checkExpiry(expiresAtMs);
      const ttl = recordTtlMs(expiresAtMs, now());
      // SET NX is the atomic "first time?": of any number of concurrent calls, on any instance, exactly one gets OK.
      const answer = await connection.run("record a one-time use", (client) =>
        client.set(`${keyPrefix}once:${keyPart(namespace)}:${keyPart(key)}`, "1", "PX", ttl, "NX"),
      );
      return answer === "OK";
    },

    async revoke(jti: string, expiresAtMs: number): Promise<void> {
      checkText("jti", jti);
      checkExpiry(expiresAtMs);
      const ttl = recordTtlMs(expiresAtMs, now());
      await connection.run("record a revocation", (client) => runScript(client, REVOKE, [`${keyPrefix}revoked:${keyPart(jti)}`], [ttl]));
    },

    async isRevoked(jti: string): Promise<boolean> {
      checkText("jti", jti);
      const found = await connection.run("check a revocation", (client) => client.exists(`${keyPrefix}revoked:${keyPart(jti)}`));
      return found > 0;
    },

    async rateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
      checkText("key", key);
      checkRateLimit(limit, windowMs);
      const reply = await connection.run("count a request for its rate limit", (client) =>
        runScript(client, RATE_LIMIT, [`${keyPrefix}rate:${windowMs}:${keyPart(key)}`], [limit, windowMs, RATE_BUCKETS]),
      );
      return rateLimitResult(reply);
    },

    close: () => connection.close(),
  };
}

function rateLimitResult(reply: unknown): RateLimitResult {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((value) => typeof value === "number")) {
    throw new StoreUnavailableError(
      "The Redis store's rate-limit script answered in an unexpected shape; is another program writing keys under store.keyPrefix?",
    );
  }
  const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
  return { allowed: allowed === 1, remaining, retryAfterMs };
}
