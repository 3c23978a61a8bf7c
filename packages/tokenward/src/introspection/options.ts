import { resolveCacheBounds } from "../cache/options.js";
import { ConfigError } from "../errors/config-error.js";
import { discoveryUrls } from "../issuers/discovery.js";
import type { FetchLimits } from "../jwks/fetch-json.js";
import { fetchUrlProblem } from "../jwks/url-policy.js";
import type { IntrospectionOptions } from "../verifier/types.js";
import { basicAuthorization } from "./client-auth.js";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post";

export interface ResolvedIntrospectionCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxTtlSeconds: number;
}

export const INTROSPECTION_CACHE_DEFAULTS: ResolvedIntrospectionCache = Object.freeze({
  maxEntries: 10_000,
  maxBytes: 16 * 1024 * 1024,
  // RFC 7662 §4: a cached answer may be served after the token was revoked;
  // a minute bounds that window while sparing the server most requests.
  maxTtlSeconds: 60,
});

// maxConcurrent: requests in flight at once. Each waits at most timeoutMs, so
// 64 keeps a healthy server's throughput (64 / latency) while a flood of
// junk tokens holds at most 64 sockets and 64 tokens in memory.
const DEFAULTS = Object.freeze({ timeoutMs: 5_000, maxBytes: 64 * 1024, failureBackoffMs: 1_000, maxConcurrent: 64 });
// Discovery documents are larger than introspection answers (Keycloak's is ~6 KiB, Entra's ~2 KiB).
const METADATA_MAX_BYTES = 512 * 1024;

const KNOWN = [
  "endpoint",
  "clientId",
  "clientSecret",
  "auth",
  "opaqueTokens",
  "introspectJwts",
  "requireIssuer",
  "timeoutMs",
  "maxBytes",
  "failureBackoffMs",
  "maxConcurrent",
  "cache",
] as const;

/** An introspection configuration, checked. The credentials are kept apart: only the introspector holds them. */
export interface IntrospectionSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly auth: ClientAuthMethod;
  /** A configured endpoint, or undefined when it is discovered. */
  readonly endpoint: string | undefined;
  /** Where the metadata is looked for when the endpoint is discovered. */
  readonly metadataUrls: readonly string[];
  readonly metadataLimits: FetchLimits;
  readonly allowInsecureHttp: boolean;
  readonly opaqueTokens: boolean;
  readonly introspectJwts: boolean;
  readonly requireIssuer: boolean;
  readonly limits: FetchLimits;
  readonly failureBackoffMs: number;
  /** Most requests in flight at once; beyond, new tokens are refused fast. */
  readonly maxConcurrent: number;
  readonly cache: ResolvedIntrospectionCache | undefined;
}

/** What authenticates the requests (RFC 6749 §2.3.1): a header, or two form fields. Never shown anywhere. */
export interface ClientCredentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly form: readonly (readonly [string, string])[];
}

export interface PolicyContext {
  readonly issuer: string;
  readonly isTemplate: boolean;
  readonly discoveryUrl: string | undefined;
  readonly allowInsecureHttp: boolean;
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(field, "must be true or false");
  return value;
}

function positive(field: string, value: unknown, fallback: number, zeroAllowed = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new ConfigError(field, zeroAllowed ? "must be a finite number, 0 or more" : "must be a positive number");
  }
  return value;
}

/** A credential: a non-empty string of well-formed UTF-16 (encodeURIComponent throws on a lone surrogate). The value is never echoed. */
function credential(field: string, value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new ConfigError(field, `required: ${what}`);
  try {
    encodeURIComponent(value);
  } catch {
    throw new ConfigError(field, "contains a lone UTF-16 surrogate, which cannot be sent");
  }
  return value;
}

function wholePositive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new ConfigError(field, "must be a whole number, 1 or more");
  return value as number;
}

/**
 * Checks an issuer policy's `introspection` at start-up; a `ConfigError`
 * names the field (never the secret's value).
 */
export function resolveIntrospection(
  field: string,
  options: IntrospectionOptions,
  policy: PolicyContext,
): { settings: IntrospectionSettings; credentials: ClientCredentials } {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new ConfigError(field, "must be { clientId, clientSecret, endpoint?, auth?, ... }");
  for (const name of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(name)) throw new ConfigError(`${field}.${name}`, `unknown option; known: ${KNOWN.join(", ")}`);
  }
  if (policy.isTemplate) {
    throw new ConfigError(
      field,
      "introspection needs an exact issuer: an answer from a {tenantid} template's server could not be tied to one tenant. Configure one policy per tenant",
    );
  }
  const clientId = credential(`${field}.clientId`, options.clientId, "this API's client id at the authorization server");
  const clientSecret = credential(`${field}.clientSecret`, options.clientSecret, "this API's client secret at the authorization server");
  const auth = options.auth ?? "client_secret_basic";
  if (auth !== "client_secret_basic" && auth !== "client_secret_post")
    throw new ConfigError(`${field}.auth`, 'must be "client_secret_basic" or "client_secret_post" (RFC 6749 §2.3.1)');

  const opaqueTokens = flag(`${field}.opaqueTokens`, options.opaqueTokens, true);
  const introspectJwts = flag(`${field}.introspectJwts`, options.introspectJwts, false);
  if (!opaqueTokens && !introspectJwts)
    throw new ConfigError(field, "with opaqueTokens: false and introspectJwts false it would introspect nothing; remove it, or set one of them");

  const timeoutMs = positive(`${field}.timeoutMs`, options.timeoutMs, DEFAULTS.timeoutMs);
  let endpoint: string | undefined;
  let metadataUrls: string[] = [];
  if (options.endpoint !== undefined) {
    if (typeof options.endpoint !== "string") throw new ConfigError(`${field}.endpoint`, "must be a URL string");
    // The client secret goes there with every request: https, as for keys.
    const problem = fetchUrlProblem(options.endpoint, policy.allowInsecureHttp);
    if (problem !== undefined) throw new ConfigError(`${field}.endpoint`, problem);
    endpoint = options.endpoint;
  } else if (policy.discoveryUrl !== undefined) {
    metadataUrls = [policy.discoveryUrl];
  } else {
    const problem = fetchUrlProblem(policy.issuer, policy.allowInsecureHttp);
    if (problem !== undefined) throw new ConfigError(`${field}.endpoint`, `required: the endpoint cannot be discovered from the issuer, because ${problem}`);
    metadataUrls = discoveryUrls(policy.issuer);
  }

  const credentials: ClientCredentials =
    auth === "client_secret_basic"
      ? { headers: { authorization: basicAuthorization(clientId, clientSecret) }, form: [] }
      : {
          headers: {},
          form: [
            ["client_id", clientId],
            ["client_secret", clientSecret],
          ],
        };

  return {
    credentials,
    settings: {
      issuer: policy.issuer,
      clientId,
      auth,
      endpoint,
      metadataUrls,
      metadataLimits: { timeoutMs, maxBytes: METADATA_MAX_BYTES },
      allowInsecureHttp: policy.allowInsecureHttp,
      opaqueTokens,
      introspectJwts,
      requireIssuer: flag(`${field}.requireIssuer`, options.requireIssuer, true),
      limits: { timeoutMs, maxBytes: positive(`${field}.maxBytes`, options.maxBytes, DEFAULTS.maxBytes) },
      failureBackoffMs: positive(`${field}.failureBackoffMs`, options.failureBackoffMs, DEFAULTS.failureBackoffMs, true),
      maxConcurrent: wholePositive(`${field}.maxConcurrent`, options.maxConcurrent, DEFAULTS.maxConcurrent),
      cache: resolveCacheBounds(options.cache, `${field}.cache`, INTROSPECTION_CACHE_DEFAULTS),
    },
  };
}
