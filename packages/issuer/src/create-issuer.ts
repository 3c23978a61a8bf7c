// createIssuer: checks the configuration, opens the key store and the state
// store, and composes the Hono application. One visible place where the
// replaceable parts (store, keys, hooks) meet.

import type { Hono } from "hono";
import { createApp } from "./app.js";
import { resolveConfig } from "./config/resolve.js";
import type { IssuerEvent, IssuerOptions, ResolvedConfig } from "./config/types.js";
import type { IssuerContext } from "./context.js";
import { buildMetadata } from "./endpoints/metadata.js";
import { createKeyManager, type LocalKeyManager } from "./keys/key-manager.js";
import { MetricsRegistry } from "./metrics/registry.js";
import { type ListenOptions, listen, type RunningServer } from "./node/listen.js";
import { createMemoryStore } from "./store/memory.js";
import { createRedisStore } from "./store/redis.js";
import type { IssuerStore } from "./store/types.js";

export interface Issuer {
  /** The Hono application: mount it, or call `fetch` from any web-standard runtime. */
  readonly app: Hono;
  readonly fetch: (request: Request) => Promise<Response>;
  readonly config: ResolvedConfig;
  /** The RFC 8414 metadata document this issuer serves. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The signing keys: rotate(), list(), jwks(). */
  readonly keys: LocalKeyManager;
  readonly store: IssuerStore;
  /** Serves the application with node:http; loopback by default. */
  listen(options?: ListenOptions): Promise<RunningServer>;
  /** Stops timers and closes the store (if the issuer opened it). Servers from listen() are closed by their own close(). */
  close(): Promise<void>;
}

const PROGRAMMATIC = new Set(["storeInstance", "claims", "onEvent", "now", "baseDir"]);

export interface CreateIssuerOptions extends IssuerOptions {
  /** Relative paths in the configuration (keys.directory) resolve against this; default process.cwd(). */
  baseDir?: string;
}

export async function createIssuer(options: CreateIssuerOptions): Promise<Issuer> {
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!PROGRAMMATIC.has(key)) json[key] = value;
  const config = resolveConfig(json, { baseDir: options.baseDir ?? process.cwd() });
  const now = options.now ?? Date.now;

  const ownsStore = options.storeInstance === undefined;
  const store =
    options.storeInstance ??
    (config.store.type === "redis" ? createRedisStore({ url: config.store.url, keyPrefix: config.store.keyPrefix, now }) : createMemoryStore({ now }));

  const metrics = config.metrics.enabled ? new MetricsRegistry() : undefined;
  const onEvent = options.onEvent;
  const emit = (event: IssuerEvent): void => {
    if (metrics !== undefined && event.type === "token_issued") {
      metrics.counter("tokenward_issuer_tokens_issued_total", "Access tokens issued", {
        client: event.clientId ?? "",
        grant_type: event.grantType ?? "",
      });
    }
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch {
      // An observer's failure must not change the answer.
    }
  };

  let keys: LocalKeyManager;
  try {
    keys = await createKeyManager({
      directory: config.keys.directory,
      algorithm: config.keys.algorithm,
      rotateAfterDays: config.keys.rotateAfterDays,
      publishLeadSeconds: config.keys.publishLeadSeconds,
      jwksMaxAgeSeconds: config.keys.jwksMaxAgeSeconds,
      maxTokenLifetimeSeconds: config.tokens.lifetimeSeconds,
      now,
      onEvent: emit,
      // The last good keys stay in use; the operator hears why the refresh failed.
      onError: (error) => emit({ type: "key_refresh_failed", detail: error.message }),
    });
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }

  const ctx: IssuerContext = { config, store, keys, now, claimsHook: options.claims, emit };
  const metadata = buildMetadata(config);
  const app = createApp({ ctx, metadata, metrics });
  const fetch = async (request: Request) => app.fetch(request);

  return {
    app,
    fetch,
    config,
    metadata,
    keys,
    store,
    listen: (listenOptions) => listen(fetch, listenOptions),
    async close() {
      await keys.close();
      if (ownsStore) await store.close();
    },
  };
}
