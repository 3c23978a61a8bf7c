// What only the Redis store does: share state between issuer instances, lay
// out bounded keys, survive a flushed script cache, and fail fast (and
// without leaking the password) when Redis is down, silent or stalled.

import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRedisStore } from "../../src/store/redis.js";
import { RATE_LIMIT } from "../../src/store/redis-scripts.js";
import { emptyWindow, RATE_BUCKETS, slideWindow } from "../../src/store/sliding-window.js";
import { type IssuerStore, StoreUnavailableError } from "../../src/store/types.js";
import { type FakeServer, silentServer, stallingServer } from "./fake-redis.js";
import { deleteKeys, uniquePrefix } from "./harness.js";
import { REDIS_URL, requireRedis } from "./redis-available.js";

const prefix = uniquePrefix();
let admin: Redis;
const stores: IssuerStore[] = [];
const fakes: FakeServer[] = [];

function store(options: Parameters<typeof createRedisStore>[0] = {}): IssuerStore {
  const created = createRedisStore({ url: REDIS_URL, keyPrefix: prefix, ...options });
  stores.push(created);
  return created;
}

beforeAll(async () => {
  await requireRedis();
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await Promise.all(stores.map((each) => each.close()));
  await Promise.all(fakes.map((fake) => fake.close()));
  await deleteKeys(prefix);
  admin?.disconnect();
});

/** Rejects with the error of `operation`, and how long it took. */
async function failure(operation: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await operation();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error("expected the operation to fail");
}

describe("two issuer instances on one Redis", () => {
  it("a one-time use recorded by one is a replay for the other (a replayed private_key_jwt assertion is refused)", async () => {
    const [first, second] = [store(), store()] as const;
    const until = Date.now() + 60_000;
    expect(await first.useOnce("client_assertion", "shared-jti", until)).toBe(true);
    expect(await second.useOnce("client_assertion", "shared-jti", until)).toBe(false);
    expect(await first.useOnce("client_assertion", "shared-jti", until)).toBe(false);
  });

  it("of 50 concurrent calls spread over both, exactly one is first", async () => {
    const instances = [store(), store()];
    const until = Date.now() + 60_000;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => instances[i % 2]?.useOnce("client_assertion", "raced-across", until)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it("a revocation by one is seen by the other", async () => {
    const [first, second] = [store(), store()] as const;
    await first.revoke("revoked-across", Date.now() + 60_000);
    expect(await second.isRevoked("revoked-across")).toBe(true);
  });

  it("the rate limit is one limit across both", async () => {
    const [first, second] = [store(), store()] as const;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await (i % 2 === 0 ? first : second).rateLimit("shared-client", 4, 60_000));
    expect(results.map((result) => result.remaining)).toEqual([3, 2, 1, 0]);
    const refusedByFirst = await first.rateLimit("shared-client", 4, 60_000);
    const refusedBySecond = await second.rateLimit("shared-client", 4, 60_000);
    for (const refused of [refusedByFirst, refusedBySecond]) {
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });
});

describe("keys", () => {
  it("are prefixed, bounded in length whatever the input, and expire", async () => {
    const subject = store({ keyPrefix: `${prefix}layout:` });
    const until = Date.now() + 60_000;
    await subject.useOnce("client_assertion", "plain-jti", until);
    await subject.useOnce("client_assertion", "x".repeat(10 * 1024), until);
    await subject.revoke("ключ", until);
    await subject.rateLimit("demo-service", 5, 60_000);

    const keys = (await admin.keys(`${prefix}layout:*`)).map((key) => key.slice(`${prefix}layout:`.length)).sort();
    expect(keys).toHaveLength(4);
    expect(keys).toContain("once:client_assertion:plain-jti");
    expect(keys).toContain("rate:60000:demo-service");
    expect(keys.some((key) => /^once:client_assertion:#[A-Za-z0-9_-]{43}$/.test(key))).toBe(true);
    expect(keys.some((key) => /^revoked:#[A-Za-z0-9_-]{43}$/.test(key))).toBe(true);
    for (const key of keys) {
      expect(key.length).toBeLessThanOrEqual(80);
      const ttl = await admin.pttl(`${prefix}layout:${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    // The rate-limit state is a few bucket counters, not a log of requests.
    for (let i = 0; i < 20; i++) await subject.rateLimit("demo-service", 100, 60_000);
    expect(await admin.hlen(`${prefix}layout:rate:60000:demo-service`)).toBeLessThanOrEqual(RATE_BUCKETS);
  });
});

describe("scripts", () => {
  it("still run after the server forgot them (SCRIPT FLUSH, a restart): EVALSHA falls back to EVAL", async () => {
    const subject = store();
    expect((await subject.rateLimit("flushed", 3, 60_000)).remaining).toBe(2);
    await admin.script("FLUSH");
    expect((await subject.rateLimit("flushed", 3, 60_000)).remaining).toBe(1);
    await admin.script("FLUSH");
    await subject.revoke("flushed-jti", Date.now() + 60_000);
    expect(await subject.isRevoked("flushed-jti")).toBe(true);
  });

  it("property: the Lua rate limit computes exactly what sliding-window.ts computes", async () => {
    // The script, with the server clock replaced by a clock the test controls (ARGV[4], in ms).
    const source = RATE_LIMIT.source.replace(
      "redis.call('TIME')",
      "{ string.format('%.0f', math.floor(tonumber(ARGV[4]) / 1000)), string.format('%.0f', (tonumber(ARGV[4]) % 1000) * 1000) }",
    );
    expect(source).not.toBe(RATE_LIMIT.source);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 30 }),
        async (limit, windowMs, steps) => {
          const key = `${prefix}parity:${run++}`;
          const state = emptyWindow();
          let now = 1_893_456_000_000 + (run % 1000) * 7;
          for (const step of steps) {
            now += step;
            const [allowed, remaining, retryAfterMs] = (await admin.eval(source, 1, key, limit, windowMs, RATE_BUCKETS, now)) as number[];
            expect({ allowed: allowed === 1, remaining, retryAfterMs }).toEqual(slideWindow(state, now, limit, windowMs));
          }
          await admin.del(key);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("failures: fast, clear, and never the password", () => {
  const PASSWORD = "s3cr@t-pass";
  const url = `redis://admin:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/0?password=query-secret`;

  it("Redis down (nothing listens on the port): every operation fails with StoreUnavailableError within 3 s", async () => {
    const subject = store({ url, keyPrefix: prefix });
    const operations = [
      () => subject.useOnce("client_assertion", "jti", Date.now() + 60_000),
      () => subject.revoke("jti", Date.now() + 60_000),
      () => subject.isRevoked("jti"),
      () => subject.rateLimit("client", 10, 60_000),
    ];
    for (const operation of operations) {
      const { error, ms } = await failure(operation);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(3_000);
      const { message } = error as Error;
      expect(message).toContain("redis://admin:***@127.0.0.1:1/0");
      expect(message).toMatch(/ECONNREFUSED|not connected/);
      expect(message).toContain("store.url");
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), "query-secret"]) expect(message).not.toContain(secret);
    }
  });

  it("a server that accepts the connection and never answers: StoreUnavailableError after commandTimeoutMs", async () => {
    const fake = await silentServer();
    fakes.push(fake);
    const subject = store({ url: fake.url, commandTimeoutMs: 300 });
    const { error, ms } = await failure(() => subject.useOnce("client_assertion", "jti", Date.now() + 60_000));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/could not record a one-time use: no connection within 300 ms/);
    expect(ms).toBeLessThan(1_500);
  });

  it("a server that connects and then leaves a command unanswered: StoreUnavailableError after commandTimeoutMs", async () => {
    const fake = await stallingServer();
    fakes.push(fake);
    const subject = store({ url: fake.url, commandTimeoutMs: 300 });
    const { error, ms } = await failure(() => subject.rateLimit("client", 10, 60_000));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/could not count a request for its rate limit: (no answer within 300 ms|Command timed out)/);
    expect(ms).toBeLessThan(1_500);
  });

  it("a url that is not a redis:// URL is refused at creation, without repeating it", () => {
    expect(() => createRedisStore({ url: "http://user:hunter2@127.0.0.1:6379" })).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => createRedisStore({ url: "http://user:hunter2@127.0.0.1:6379" })).not.toThrow(/hunter2/);
    expect(() => createRedisStore({ url: "not a url :hunter2" })).toThrow(/not a valid URL/);
    expect(() => createRedisStore({ url: "not a url :hunter2" })).not.toThrow(/hunter2/);
    expect(() => createRedisStore({ url: REDIS_URL, client: admin })).toThrow(/either url or client/);
    expect(() => createRedisStore({ commandTimeoutMs: 0 })).toThrow(RangeError);
  });
});

describe("the connection", () => {
  it("is not made (nor ioredis loaded into a client) until the first operation", async () => {
    const connect = vi.spyOn(Redis.prototype, "connect");
    const subject = createRedisStore({ url: REDIS_URL, keyPrefix: prefix });
    await subject.close();
    expect(connect).not.toHaveBeenCalled();
  });

  it("close() quits a connection the store made, once", async () => {
    const quit = vi.spyOn(Redis.prototype, "quit");
    const subject = createRedisStore({ url: REDIS_URL, keyPrefix: prefix });
    expect(await subject.isRevoked("anything")).toBe(false);
    await subject.close();
    await subject.close();
    expect(quit).toHaveBeenCalledTimes(1);
    await expect(subject.isRevoked("anything")).rejects.toThrow(/closed/);
  });

  it("a client given to the store is used as is and left open by close()", async () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
    try {
      const subject = createRedisStore({ client, keyPrefix: prefix });
      expect(await subject.useOnce("ns", "given-client", Date.now() + 60_000)).toBe(true);
      await subject.close();
      expect(client.status).toBe("ready");
      expect(await client.exists(`${prefix}once:ns:given-client`)).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});
