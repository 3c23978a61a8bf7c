// The two stores behind one test interface, so that one table of behaviour
// cases runs against both: the memory store on a fake clock, the Redis store
// on the real one (time passes by sleeping), each Redis run under its own key
// prefix, removed afterwards.

import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createMemoryStore } from "../../src/store/memory.js";
import { createRedisStore } from "../../src/store/redis.js";
import type { IssuerStore } from "../../src/store/types.js";
import { REDIS_URL, requireRedis } from "./redis-available.js";

export interface StoreUnderTest {
  readonly store: IssuerStore;
  /** The clock the store goes by, in epoch milliseconds. */
  now(): number;
  /** Lets `ms` milliseconds pass for the store. */
  advance(ms: number): Promise<void>;
}

export interface Backend {
  readonly name: "memory" | "redis";
  /** Before any test: for Redis, fails at once when there is none. */
  setUp(): Promise<void>;
  create(): Promise<StoreUnderTest>;
  /** Closes every store created and removes what they wrote. */
  tearDown(): Promise<void>;
}

export const START = Date.UTC(2030, 0, 1);

export function memoryBackend(): Backend {
  const stores: IssuerStore[] = [];
  return {
    name: "memory",
    async setUp() {},
    async create() {
      let clock = START;
      const store = createMemoryStore({ now: () => clock });
      stores.push(store);
      return {
        store,
        now: () => clock,
        advance: async (ms) => {
          clock += ms;
        },
      };
    },
    async tearDown() {
      await Promise.all(stores.map((store) => store.close()));
    },
  };
}

/** A key prefix of its own for this test file's run; `deleteKeys` removes everything under it. */
export function uniquePrefix(): string {
  return `tokenward-test:${randomUUID()}:`;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    let cursor = "0";
    do {
      const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    admin.disconnect();
  }
}

export function redisBackend(): Backend {
  const keyPrefix = uniquePrefix();
  const stores: IssuerStore[] = [];
  return {
    name: "redis",
    setUp: () => requireRedis(),
    async create() {
      // Each store gets its own part of the prefix: cases never see each other's keys.
      const store = createRedisStore({ url: REDIS_URL, keyPrefix: `${keyPrefix}${stores.length}:` });
      stores.push(store);
      return { store, now: Date.now, advance: (ms) => sleep(ms) };
    },
    async tearDown() {
      await Promise.all(stores.map((store) => store.close()));
      await deleteKeys(keyPrefix);
    },
  };
}
