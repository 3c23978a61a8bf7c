// resolveConfig: the issuer's JSON configuration (IssuerConfig, described by
// schema/issuer-config.schema.json) checked field by field and defaulted
// into what createIssuer works with (ResolvedConfig). Every problem is
// reported at once, each with its path and the fix.

import { resolve as resolvePath } from "node:path";
import { Checker, type Fields } from "./checker.js";
import { IssuerConfigError } from "./issuer-config-error.js";
import { checkIssuer, type IssuerLocation } from "./issuer-url.js";
import { child } from "./path.js";
import { resolveClient } from "./resolve-client.js";
import { resolveIdentityProvider } from "./resolve-idp.js";
import { resolveTrust } from "./resolve-trust.js";
import type { ResolvedClient, ResolvedConfig, SigningAlgorithm, TokenProfile } from "./types.js";

export type { ConfigProblem } from "./issuer-config-error.js";
export { IssuerConfigError };

export interface ResolveConfigOptions {
  /** Relative paths (keys.directory) resolve against this; default process.cwd(). */
  baseDir?: string;
}

const TOP_FIELDS = [
  "$schema",
  "issuer",
  "keys",
  "tokens",
  "clients",
  "store",
  "rateLimit",
  "limits",
  "metrics",
  "trustedIdentityProviders",
  "idJag",
  "identityProvider",
];
const TOP_HINTS: Readonly<Record<string, string>> = {
  claims: "claims are set per client (clients[i].claims); a claims function is an option of createIssuer, not of the JSON configuration",
};
const ALGORITHMS: readonly SigningAlgorithm[] = ["RS256", "ES256", "EdDSA"];
const PROFILES: readonly TokenProfile[] = ["rfc9068", "auth0"];
const MAX_PUBLISH_LEAD_SECONDS = 30 * 86400;
const DEFAULT_KEY_PREFIX = "tokenward:";

/** An optional section: its fields, or an empty object when absent. */
function section(checker: Checker, name: string, value: unknown, known: readonly string[]): Fields | undefined {
  if (value === undefined) return {};
  return checker.object(name, value, known);
}

function optional<T>(value: unknown, fallback: T, read: (value: unknown) => T | undefined): T | undefined {
  return value === undefined ? fallback : read(value);
}

function readKeys(checker: Checker, value: unknown, baseDir: string): ResolvedConfig["keys"] | undefined {
  const fields = section(checker, "keys", value, ["directory", "algorithm", "rotateAfterDays", "publishLeadSeconds", "jwksMaxAgeSeconds"]);
  if (fields === undefined) return undefined;
  const directory = optional(fields.directory, ".tokenward/keys", (raw) =>
    checker.string("keys.directory", raw, (text) =>
      text === "" ? "must name a directory, e.g. .tokenward/keys" : text.includes("\0") ? "must not contain a NUL character" : undefined,
    ),
  );
  const algorithm = optional<SigningAlgorithm>(fields.algorithm, "RS256", (raw) => checker.oneOf("keys.algorithm", raw, ALGORITHMS));
  const rotateAfterDays = optional(fields.rotateAfterDays, 0, (raw) =>
    checker.integer("keys.rotateAfterDays", raw, 0, 3650, "days (0: rotate only with `tokenward keys rotate`)"),
  );
  const jwksMaxAgeSeconds = optional(fields.jwksMaxAgeSeconds, 300, (raw) => checker.integer("keys.jwksMaxAgeSeconds", raw, 0, 86400, "seconds"));
  const publishLeadSeconds =
    fields.publishLeadSeconds === undefined
      ? jwksMaxAgeSeconds === undefined
        ? undefined
        : 2 * jwksMaxAgeSeconds
      : checker.integer("keys.publishLeadSeconds", fields.publishLeadSeconds, 0, MAX_PUBLISH_LEAD_SECONDS, "seconds");
  if (
    fields.publishLeadSeconds !== undefined &&
    publishLeadSeconds !== undefined &&
    jwksMaxAgeSeconds !== undefined &&
    publishLeadSeconds < jwksMaxAgeSeconds
  ) {
    // A verifier may hold the JWKS for max-age seconds: a key must be published at least that long before it signs.
    checker.report(
      "keys.publishLeadSeconds",
      `is ${publishLeadSeconds}, less than keys.jwksMaxAgeSeconds (${jwksMaxAgeSeconds}): APIs holding a cached JWKS would not know a new key when it starts signing; make it at least ${jwksMaxAgeSeconds} (default: twice jwksMaxAgeSeconds)`,
    );
    return undefined;
  }
  if (rotateAfterDays !== undefined && publishLeadSeconds !== undefined && rotateAfterDays > 0 && rotateAfterDays * 86400 <= publishLeadSeconds) {
    checker.report(
      "keys.rotateAfterDays",
      `rotating every ${rotateAfterDays} day(s) is not longer than keys.publishLeadSeconds (${publishLeadSeconds}); a new key would be due before the previous one signs`,
    );
    return undefined;
  }
  if (
    directory === undefined ||
    algorithm === undefined ||
    rotateAfterDays === undefined ||
    jwksMaxAgeSeconds === undefined ||
    publishLeadSeconds === undefined
  )
    return undefined;
  return { directory: resolvePath(baseDir, directory), algorithm, rotateAfterDays, publishLeadSeconds, jwksMaxAgeSeconds };
}

function readTokens(checker: Checker, value: unknown): Partial<ResolvedConfig["tokens"]> | undefined {
  const fields = section(checker, "tokens", value, ["lifetimeSeconds", "profile"]);
  if (fields === undefined) return undefined;
  return {
    lifetimeSeconds: optional(fields.lifetimeSeconds, 3600, (raw) => checker.integer("tokens.lifetimeSeconds", raw, 1, 86400, "seconds")),
    profile: optional<TokenProfile>(fields.profile, "rfc9068", (raw) => checker.oneOf("tokens.profile", raw, PROFILES)),
  };
}

function redisUrlProblem(text: string): string | undefined {
  // The URL may hold a password: no message here repeats it.
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL; write redis://host:6379 or rediss://host:6380 (TLS)";
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") return "must start with redis:// or rediss:// (TLS)";
  if (url.hostname === "") return "names no host; write redis://host:6379";
  return undefined;
}

function readStore(checker: Checker, value: unknown): ResolvedConfig["store"] | undefined {
  if (value === undefined) return { type: "memory" };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    checker.report("store", 'must be an object: { "type": "memory" } or { "type": "redis", "url": "redis://127.0.0.1:6379" }');
    return undefined;
  }
  const type = checker.oneOf("store.type", (value as Fields).type, ["memory", "redis"] as const);
  if (type === undefined) return undefined;
  if (type === "memory") {
    return checker.object("store", value, ["type"]) === undefined ? undefined : { type };
  }
  const fields = checker.object("store", value, ["type", "url", "keyPrefix"]);
  if (fields === undefined) return undefined;
  if (fields.url === undefined) checker.report("store.url", "required for the redis store, e.g. redis://127.0.0.1:6379");
  const url = fields.url === undefined ? undefined : checker.string("store.url", fields.url, redisUrlProblem);
  const keyPrefix = optional(fields.keyPrefix, DEFAULT_KEY_PREFIX, (raw) =>
    checker.string("store.keyPrefix", raw, (text) =>
      /^[\x21-\x7E]{1,100}$/.test(text) ? undefined : 'must be 1 to 100 printable ASCII characters without spaces, e.g. "tokenward:"',
    ),
  );
  if (url === undefined || keyPrefix === undefined) return undefined;
  return { type, url, keyPrefix };
}

function readLimits(checker: Checker, value: unknown): ResolvedConfig["limits"] | undefined {
  const fields = section(checker, "limits", value, ["maxBodyBytes", "maxAssertionLifetimeSeconds", "clockToleranceSeconds"]);
  if (fields === undefined) return undefined;
  const maxBodyBytes = optional(fields.maxBodyBytes, 16384, (raw) => checker.integer("limits.maxBodyBytes", raw, 1024, 1024 * 1024, "bytes"));
  const maxAssertionLifetimeSeconds = optional(fields.maxAssertionLifetimeSeconds, 300, (raw) =>
    checker.integer("limits.maxAssertionLifetimeSeconds", raw, 1, 86400, "seconds"),
  );
  const clockToleranceSeconds = optional(fields.clockToleranceSeconds, 30, (raw) => checker.integer("limits.clockToleranceSeconds", raw, 0, 300, "seconds"));
  if (maxBodyBytes === undefined || maxAssertionLifetimeSeconds === undefined || clockToleranceSeconds === undefined) return undefined;
  return { maxBodyBytes, maxAssertionLifetimeSeconds, clockToleranceSeconds };
}

function readClients(checker: Checker, value: unknown, tokens: Partial<ResolvedConfig["tokens"]> | undefined, rateLimit: number | undefined) {
  if (value === undefined) {
    checker.report(
      "clients",
      'required: the clients that may get tokens, e.g. [{ "clientId": "billing", "secretHash": "scrypt$...", "audiences": ["https://api.example.com"], "scopes": ["read:data"] }]',
    );
    return undefined;
  }
  if (!Array.isArray(value)) {
    checker.report("clients", "must be an array of client objects");
    return undefined;
  }
  if (value.length === 0) {
    checker.report("clients", "lists no client; add at least one, or no one can get a token");
    return undefined;
  }
  const clients = new Map<string, ResolvedClient>();
  const firstIndex = new Map<string, number>();
  let ok = true;
  for (const [index, raw] of value.entries()) {
    const path = child("clients", index);
    const client = resolveClient(checker, path, raw, { tokenLifetimeSeconds: tokens?.lifetimeSeconds, rateLimitPerMinute: rateLimit });
    // A duplicate id is found even when the client has other problems.
    const id = typeof raw === "object" && raw !== null ? (raw as Fields).clientId : undefined;
    if (typeof id === "string") {
      const first = firstIndex.get(id);
      if (first !== undefined) {
        checker.report(child(path, "clientId"), `${JSON.stringify(id)} is also the clientId of clients[${first}]; client ids must be unique`);
        ok = false;
      } else firstIndex.set(id, index);
    }
    if (client === undefined) ok = false;
    else if (!clients.has(client.clientId)) clients.set(client.clientId, client);
  }
  return ok ? clients : undefined;
}

/**
 * Checks an issuer configuration (parsed JSON, or the same shape built in
 * code) and fills in the defaults. Throws an IssuerConfigError listing every
 * problem, each with its path (`clients[1].audiences[0]`) and the fix.
 */
export function resolveConfig(input: unknown, options: ResolveConfigOptions = {}): ResolvedConfig {
  const checker = new Checker();
  const fields = checker.object("", input, TOP_FIELDS, TOP_HINTS);
  if (fields === undefined) throw new IssuerConfigError(checker.problems);
  const baseDir = options.baseDir ?? process.cwd();

  if (fields.$schema !== undefined) checker.string("$schema", fields.$schema);

  let location: IssuerLocation | undefined;
  if (fields.issuer === undefined) checker.report("issuer", 'required: the issuer URL tokens will carry in iss, e.g. "https://auth.example.com"');
  else {
    const text = checker.string("issuer", fields.issuer);
    if (text !== undefined) {
      const checked = checkIssuer(text);
      if (typeof checked === "string") checker.report("issuer", checked);
      else location = checked;
    }
  }

  const keys = readKeys(checker, fields.keys, baseDir);
  const tokens = readTokens(checker, fields.tokens);
  const store = readStore(checker, fields.store);
  const rateLimitFields = section(checker, "rateLimit", fields.rateLimit, ["perClientPerMinute"]);
  const perClientPerMinute =
    rateLimitFields === undefined
      ? undefined
      : optional(rateLimitFields.perClientPerMinute, 600, (raw) =>
          checker.integer("rateLimit.perClientPerMinute", raw, 0, 1_000_000, "requests per minute (0 turns the limit off)"),
        );
  const limits = readLimits(checker, fields.limits);
  const metricsFields = section(checker, "metrics", fields.metrics, ["enabled"]);
  const metricsEnabled = metricsFields === undefined ? undefined : optional(metricsFields.enabled, false, (raw) => checker.boolean("metrics.enabled", raw));
  const clients = readClients(checker, fields.clients, tokens, perClientPerMinute);
  const trust = resolveTrust(checker, fields.trustedIdentityProviders, fields.idJag, {
    issuer: location?.issuer,
    ownJwksUri: location === undefined ? undefined : `${location.base}/.well-known/jwks.json`,
    clients,
  });
  const identityProvider = resolveIdentityProvider(checker, fields.identityProvider, {
    issuer: location?.issuer,
    base: location?.base,
    clients,
    tokenLifetimeSeconds: tokens?.lifetimeSeconds,
  });

  if (
    checker.problems.length > 0 ||
    location === undefined ||
    keys === undefined ||
    tokens?.lifetimeSeconds === undefined ||
    tokens.profile === undefined ||
    store === undefined ||
    perClientPerMinute === undefined ||
    limits === undefined ||
    metricsEnabled === undefined ||
    clients === undefined ||
    trust === undefined
  ) {
    throw new IssuerConfigError(checker.problems.length > 0 ? checker.problems : [{ path: "(the configuration)", message: "is not usable" }]);
  }
  const { issuer, base, issuerPath } = location;
  return {
    issuer,
    base,
    issuerPath,
    endpoints: {
      token: `${base}/oauth/token`,
      jwks: `${base}/.well-known/jwks.json`,
      introspection: `${base}/oauth/introspect`,
      revocation: `${base}/oauth/revoke`,
    },
    keys,
    tokens: { lifetimeSeconds: tokens.lifetimeSeconds, profile: tokens.profile },
    clients,
    store,
    rateLimit: { perClientPerMinute },
    limits,
    metrics: { enabled: metricsEnabled },
    trustedIdentityProviders: trust.trustedIdentityProviders,
    idJag: trust.idJag,
    ...(identityProvider === undefined ? {} : { identityProvider }),
  };
}
