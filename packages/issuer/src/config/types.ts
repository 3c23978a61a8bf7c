// The issuer's configuration: what a JSON config file holds (IssuerConfig,
// described by schema/issuer-config.schema.json) and what createIssuer works
// with once every field is checked and defaulted (ResolvedConfig).

import type { IssuerStore } from "../store/types.js";

export type SigningAlgorithm = "RS256" | "ES256" | "EdDSA";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

/** The shape of access tokens: RFC 9068 as written, or shaped like Auth0's machine-to-machine tokens. */
export type TokenProfile = "rfc9068" | "auth0";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ClientConfig {
  clientId: string;
  /** Shown in logs and metrics. */
  name?: string;
  /**
   * The client secret as a slow salted hash (`tokenward secret hash` prints
   * one): `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`. Plain
   * secrets are never accepted in configuration.
   */
  secretHash?: string;
  /** For private_key_jwt (RFC 7523 §2.2): the client's public keys, inline... */
  jwks?: { keys: Record<string, unknown>[] };
  /** ...or where to fetch them (https, or http on loopback). */
  jwksUri?: string;
  /** Defaults: the secret methods when secretHash is set, private_key_jwt when jwks/jwksUri is. */
  authMethods?: ClientAuthMethod[];
  /** Defaults to ["client_credentials"]. */
  grantTypes?: string[];
  /** The audiences (resource servers) this client may get tokens for; the first is the default. */
  audiences: string[];
  /** The scopes this client may be granted. */
  scopes: string[];
  /** Scopes granted when a request names none; defaults to every allowed scope (as Auth0 does). */
  defaultScopes?: string[];
  /** Extra claims put in every access token of this client; namespaced names (URLs) are fine. */
  claims?: Record<string, JsonValue>;
  /** Overrides tokens.lifetimeSeconds for this client (never above it). */
  tokenLifetimeSeconds?: number;
  /** Overrides rateLimit.perClientPerMinute. */
  rateLimitPerMinute?: number;
  /** May this client call the introspection endpoint (RFC 7662 §2.1)? Default true. */
  introspect?: boolean;
}

export interface IssuerConfig {
  $schema?: string;
  /** The issuer identifier (RFC 8414 §2): https (http only on loopback), no query or fragment. Compared byte for byte. */
  issuer: string;
  keys?: {
    /** Where private JWKs are kept (created on first start, mode 0700, files 0600). Default ".tokenward/keys". */
    directory?: string;
    /** Default RS256. */
    algorithm?: SigningAlgorithm;
    /** Rotate automatically when the signing key is older than this; 0 (default) means only by `tokenward keys rotate`. */
    rotateAfterDays?: number;
    /** How long a new key is published before it signs; default 2 x jwksMaxAgeSeconds. */
    publishLeadSeconds?: number;
    /** Cache-Control max-age of the JWKS answer; default 300. */
    jwksMaxAgeSeconds?: number;
  };
  tokens?: {
    /** Access token lifetime; default 3600, at most 86400. */
    lifetimeSeconds?: number;
    /** Default "rfc9068". */
    profile?: TokenProfile;
  };
  clients: ClientConfig[];
  store?: { type: "memory" } | { type: "redis"; url: string; keyPrefix?: string };
  rateLimit?: {
    /** Token requests per client per minute; default 600; 0 turns the limit off. */
    perClientPerMinute?: number;
  };
  limits?: {
    /** Largest request body accepted; default 16 KiB. */
    maxBodyBytes?: number;
    /** Largest lifetime (exp - iat) of a client assertion; default 300 s. */
    maxAssertionLifetimeSeconds?: number;
    /** Tolerance for iat/nbf/exp of assertions; default 30 s. */
    clockToleranceSeconds?: number;
  };
  /** Serve Prometheus metrics at /metrics (opt-in). */
  metrics?: { enabled?: boolean };
}

export interface ResolvedClient {
  clientId: string;
  name: string;
  secretHash: string | undefined;
  jwks: { keys: Record<string, unknown>[] } | undefined;
  jwksUri: string | undefined;
  authMethods: ReadonlySet<ClientAuthMethod>;
  grantTypes: ReadonlySet<string>;
  audiences: readonly string[];
  scopes: ReadonlySet<string>;
  defaultScopes: readonly string[];
  claims: Readonly<Record<string, JsonValue>>;
  tokenLifetimeSeconds: number;
  rateLimitPerMinute: number;
  introspect: boolean;
}

/** Everything createIssuer needs, checked and defaulted. Endpoint URLs are derived once, here. */
export interface ResolvedConfig {
  issuer: string;
  /** issuer without a trailing slash: endpoint URLs are `${base}/oauth/token` and so on. */
  base: string;
  /** The issuer's path ("" or "/tenant"): routes are mounted under it. */
  issuerPath: string;
  endpoints: { token: string; jwks: string; introspection: string; revocation: string };
  keys: { directory: string; algorithm: SigningAlgorithm; rotateAfterDays: number; publishLeadSeconds: number; jwksMaxAgeSeconds: number };
  tokens: { lifetimeSeconds: number; profile: TokenProfile };
  clients: ReadonlyMap<string, ResolvedClient>;
  store: { type: "memory" } | { type: "redis"; url: string; keyPrefix: string };
  rateLimit: { perClientPerMinute: number };
  limits: { maxBodyBytes: number; maxAssertionLifetimeSeconds: number; clockToleranceSeconds: number };
  metrics: { enabled: boolean };
}

/** What a custom-claims hook sees; it returns claims to add (registered claims cannot be overridden). */
export interface ClaimsHookContext {
  client: ResolvedClient;
  grantType: string;
  audience: readonly string[];
  scopes: readonly string[];
}

export interface IssuerEvent {
  /** token_issued, token_refused, client_auth_failed, introspected, revoked, rate_limited, key_rotated */
  type: string;
  clientId?: string;
  grantType?: string;
  /** The RFC 6749 error code for refusals. */
  error?: string;
  /** Operator detail; never a secret or a token. */
  detail?: string;
  durationMs?: number;
}

/** Programmatic options on top of the JSON configuration. */
export interface IssuerOptions extends IssuerConfig {
  /** A store instance to use instead of the one `store` describes. */
  storeInstance?: IssuerStore;
  /** Adds claims to access tokens (after the client's configured claims). */
  claims?: (context: ClaimsHookContext) => Record<string, JsonValue> | Promise<Record<string, JsonValue>>;
  /** Structured events (logs, audit); never carries secrets or tokens. */
  onEvent?: (event: IssuerEvent) => void;
  /** The clock in milliseconds since the epoch (tests). */
  now?: () => number;
}
