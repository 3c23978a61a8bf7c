// The Redis store's connection: created on first use (ioredis is imported
// only then, so users of the memory store never load it), bounded in time at
// every step, and turning every failure into a StoreUnavailableError that
// names the server (never its password) and the fix.

import type { Redis } from "ioredis";
import { withDeadline } from "./deadline.js";
import { type RedisAddress, redisAddress, scrub } from "./redis-address.js";
import { StoreUnavailableError } from "./types.js";

export interface RedisConnectionOptions {
  /** Used when `client` is absent. */
  url: string;
  /** A client the caller owns: used as is, never closed by us. */
  client: Redis | undefined;
  /** The longest wait for a connection, and then for one command. */
  timeoutMs: number;
}

export interface RedisConnection {
  /** Runs `command` on a ready client within the deadline; any failure becomes a StoreUnavailableError about `what`. */
  run<T>(what: string, command: (client: Redis) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { client: given, timeoutMs } = options;
  const address: RedisAddress = given ? addressOfClient(given) : redisAddress(options.url);
  let clientPromise: Promise<Redis> | undefined = given ? Promise.resolve(given) : undefined;
  let lastError: Error | undefined;
  let waiter: Promise<void> | undefined;
  let closed = false;

  function unavailable(what: string, reason: string): StoreUnavailableError {
    return new StoreUnavailableError(
      `The Redis store at ${address.shown} could not ${what}: ${scrub(reason, address.secrets)}. ` +
        `Check that Redis is running and reachable there (redis-cli -u '${address.shown}' ping), and that store.url ` +
        "in the issuer configuration (host, port, password, database) is right.",
    );
  }

  async function open(): Promise<Redis> {
    const { Redis } = await import("ioredis");
    const client = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // Commands fail at once while disconnected instead of queueing: memory
      // stays bounded during an outage, and each request gets its 503 now.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A command cut off by a dropped connection was answered 503 already; sending it again later would count it twice.
      autoResendUnfulfilledCommands: false,
      // Keep reconnecting in the background, at most every 2 s, so the issuer recovers by itself when Redis is back.
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    });
    // Also keeps ioredis from printing "Unhandled error event" for every failed reconnection.
    client.on("error", (error: Error) => {
      lastError = error;
    });
    return client;
  }

  /** One shared wait for the next "ready" (a single listener however many requests wait). */
  function whenReady(client: Redis): Promise<void> {
    waiter ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        waiter = undefined;
        client.off("ready", onReady);
        client.off("close", onClose);
        client.off("end", onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      const onClose = () => settle(new Error(lastError?.message ?? "the connection closed before it was ready"));
      client.on("ready", onReady);
      client.on("close", onClose);
      client.on("end", onClose);
    });
    return waiter;
  }

  async function ready(what: string): Promise<Redis> {
    if (closed) throw unavailable(what, "the store was closed (close() was called)");
    if (clientPromise === undefined) {
      clientPromise = open();
      // A failed import is reported below, each time; it must not also surface as unhandled.
      clientPromise.catch(() => undefined);
    }
    let client: Redis;
    try {
      client = await clientPromise;
    } catch (error) {
      throw new StoreUnavailableError(`The Redis store could not load the ioredis package (${messageOf(error)}); install it: npm install ioredis`);
    }
    switch (client.status) {
      case "ready":
        return client;
      case "end":
        throw unavailable(what, given ? "the Redis client given to createRedisStore was closed" : "the connection was closed");
      case "close":
      case "reconnecting":
        // An outage is known: answer now rather than hold every request for the full timeout.
        throw unavailable(what, `not connected (${lastError?.message ?? "the connection was lost"}); reconnecting in the background`);
      case "wait":
        // lazyConnect: the first command connects. A failure is seen through the events below.
        client.connect().catch(() => undefined);
        break;
    }
    await withDeadline(whenReady(client), timeoutMs, () => new Error(`no connection within ${timeoutMs} ms`));
    return client;
  }

  return {
    async run<T>(what: string, command: (client: Redis) => Promise<T>): Promise<T> {
      try {
        const client = await ready(what);
        return await withDeadline(command(client), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw unavailable(what, messageOf(error));
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (given || clientPromise === undefined) return;
      const client = await clientPromise.catch(() => undefined);
      if (client === undefined) return;
      if (client.status === "ready") {
        // QUIT lets Redis finish what it was answering; disconnect() below ends it regardless.
        await withDeadline(client.quit(), timeoutMs, () => new Error("QUIT timed out")).catch(() => undefined);
      }
      client.disconnect();
    },
  };
}

function addressOfClient(client: Redis): RedisAddress {
  const { host, port, path, db, password } = client.options;
  const where = path ? `unix:${path}` : `redis://${host ?? "localhost"}:${port ?? 6379}`;
  return { shown: db ? `${where}/${db}` : where, secrets: password ? [password] : [] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
