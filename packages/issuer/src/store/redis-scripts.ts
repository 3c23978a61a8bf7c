// The Redis store's Lua scripts: each runs atomically on the server, so
// instances sharing one Redis never interleave inside an operation.

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface RedisScript {
  readonly source: string;
  /** Redis names a loaded script by the SHA-1 of its source (EVALSHA); an identifier, not a security use. */
  readonly sha1: string;
}

function script(source: string): RedisScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

/**
 * KEYS[1]: the revocation mark; ARGV[1]: milliseconds to keep it.
 * A second revocation of the same token never shortens the first.
 */
export const REVOKE = script(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
`);

/**
 * KEYS[1]: the key's hash of bucket counters; ARGV: limit, windowMs, buckets.
 * Returns { allowed (1 or 0), remaining, retryAfterMs }.
 *
 * The arithmetic of store/sliding-window.ts, step for step (read the reasons
 * there). The clock is the server's (TIME), so every instance sharing the
 * Redis counts in the same buckets whatever its own clock says. Bucket
 * numbers are written with %.0f: Lua 5.1's tostring switches to exponent
 * notation past 14 digits.
 */
export const RATE_LIMIT = script(`
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local buckets = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local oldest = math.floor((now * buckets) / window) - buckets + 1
local flat = redis.call('HGETALL', KEYS[1])
local live = {}
local total = 0
for i = 1, #flat, 2 do
  local index = tonumber(flat[i])
  if index < oldest then
    redis.call('HDEL', KEYS[1], flat[i])
  else
    local count = tonumber(flat[i + 1])
    live[#live + 1] = { index, count }
    total = total + count
  end
end
table.sort(live, function(a, b) return a[1] < b[1] end)
if total < limit then
  local current = oldest + buckets - 1
  if #live > 0 and live[#live][1] > current then current = live[#live][1] end
  redis.call('HINCRBY', KEYS[1], string.format('%.0f', current), 1)
  redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', math.ceil(((current + buckets) * window) / buckets)))
  return { 1, limit - total - 1, 0 }
end
local mustLeave = total - limit + 1
local left = 0
for _, bucket in ipairs(live) do
  left = left + bucket[2]
  if left >= mustLeave then
    return { 0, 0, math.ceil(((bucket[1] + buckets) * window) / buckets) - now }
  end
end
return redis.error_reply('tokenward rate limit: the bucket counts do not add up')
`);

/** EVALSHA, and EVAL when the server does not have the script yet (first use, a restart, SCRIPT FLUSH). */
export async function runScript(client: Redis, { source, sha1 }: RedisScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(sha1, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return await client.eval(source, keys.length, ...keys, ...args);
  }
}
