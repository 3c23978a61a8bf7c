// The issuer's configuration: what a JSON config file holds (IssuerConfig,
// described by schema/issuer-config.schema.json) and what createIssuer works
// with once every field is checked and defaulted (ResolvedConfig).

import type { AsymmetricAlgorithm } from "tokenward";
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
  /** Cross App Access, authorization server role: the identity providers whose ID-JAGs this server redeems (jwt-bearer grant). */
  trustedIdentityProviders?: TrustedIdentityProviderConfig[];
  /** How ID-JAGs are accepted: replay policy and time bounds. */
  idJag?: IdJagGrantConfig;
  /** Cross App Access, identity provider role: user sign-in producing ID tokens, token exchange minting ID-JAGs. */
  identityProvider?: IdentityProviderConfig;
}

/** One identity provider whose ID-JAGs (draft-ietf-oauth-identity-assertion-authz-grant) this server accepts. */
export interface TrustedIdentityProviderConfig {
  /** Its issuer identifier, exactly as its ID-JAGs carry it in iss (https, or http on loopback). */
  issuer: string;
  /** Where its public keys are; without jwksUri or jwks, found by discovery (OpenID Connect, then RFC 8414). */
  jwksUri?: string;
  /** Its public keys, inline. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Accepted signing algorithms (asymmetric only); default every asymmetric algorithm tokenward verifies. */
  algorithms?: string[];
  /** Which of this server's clients may present its ID-JAGs; default every client whose grantTypes include the jwt-bearer grant. */
  clients?: string[];
  /** How its users become access token subjects; default: the ID-JAG's sub as it is. */
  subject?: SubjectMappingConfig;
}

/** Subject resolution (draft §2.2): the access token's sub for a user of one identity provider. */
export interface SubjectMappingConfig {
  /** Put before the ID-JAG's sub when no account rule matches, e.g. "okta|"; distinct per provider when several are trusted. */
  prefix?: string;
  /** Local accounts: the first rule whose every match field equals the ID-JAG's claim gives the subject. */
  accounts?: { match: { sub?: string; email?: string; tenant?: string }; subject: string }[];
  /** When no rule matches: "sub" (default) uses prefix + sub; "refuse" refuses the ID-JAG. */
  unmatched?: "sub" | "refuse";
}

export interface IdJagGrantConfig {
  /** "single-use" (default): each ID-JAG is redeemed once; "allow-reuse": re-submitted within its lifetime (draft §4.4.3). */
  reuse?: "single-use" | "allow-reuse";
  /** Longest exp - iat accepted; default 300 s. */
  maxLifetimeSeconds?: number;
  /** Clock skew tolerated on exp, iat and nbf; default 30 s. */
  clockToleranceSeconds?: number;
}

export interface ResolvedTrustedIdentityProvider {
  issuer: string;
  jwksUri: string | undefined;
  jwks: { keys: Record<string, unknown>[] } | undefined;
  algorithms: readonly AsymmetricAlgorithm[];
  /** The client ids that may present its ID-JAGs. */
  clients: ReadonlySet<string>;
  subject: {
    prefix: string;
    accounts: readonly { match: { sub?: string; email?: string; tenant?: string }; subject: string }[];
    unmatched: "sub" | "refuse";
  };
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
  /** By issuer identifier; empty when this server redeems no ID-JAG. */
  trustedIdentityProviders: ReadonlyMap<string, ResolvedTrustedIdentityProvider>;
  idJag: { reuse: "single-use" | "allow-reuse"; maxLifetimeSeconds: number; clockToleranceSeconds: number };
  /** The identity provider role; undefined when the configuration does not enable it. */
  identityProvider?: ResolvedIdentityProvider;
}

/** What a custom-claims hook sees; it returns claims to add (registered claims cannot be overridden). */
export interface ClaimsHookContext {
  client: ResolvedClient;
  grantType: string;
  audience: readonly string[];
  scopes: readonly string[];
}

export interface IssuerEvent {
  /** token_issued, request_refused, server_error, introspected, revoked, key_rotated, key_refresh_failed */
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

/** A test user of the identity provider role, who signs in at the authorization endpoint. */
export interface IdentityProviderUserConfig {
  /** What the user types in the sign-in form. */
  username: string;
  /** The password as `tokenward secret hash` prints it (scrypt$...), never the password itself. */
  passwordHash: string;
  /** The subject identifier in ID tokens and ID-JAGs (OpenID Connect Core §2: at most 255 ASCII characters, never reassigned). */
  sub: string;
  email?: string;
  name?: string;
}

/** A client of this server that may sign users in (an OpenID Connect relying party). */
export interface RelyingPartyConfig {
  /** The clientId of one of `clients`; it must list "authorization_code" in grantTypes. */
  client: string;
  /** Where the authorization endpoint may send the user back; compared exactly (RFC 6749 §3.1.2). */
  redirectUris: string[];
}

/** Which client may get an ID-JAG for which authorization server, resources and scopes. */
export interface IdJagPolicyConfig {
  /** The clientId of one of `clients`; it must list the token-exchange grant in grantTypes. */
  client: string;
  /** The target authorization server's issuer identifier: the ID-JAG's aud. */
  audience: string;
  /** That client's client_id at the target authorization server: the ID-JAG's client_id claim. */
  clientIdAtAudience: string;
  /** Resource indicators (RFC 8707) the ID-JAG may name; the first is the default. None: no resource may be requested. */
  resources?: string[];
  /** Scopes the ID-JAG may carry; requests are narrowed to these, and get all of them when they name none. */
  scopes?: string[];
}

export interface IdentityProviderConfig {
  users: IdentityProviderUserConfig[];
  relyingParties: RelyingPartyConfig[];
  /** ID token lifetime; default 300 (never above tokens.lifetimeSeconds). */
  idTokenLifetimeSeconds?: number;
  /** ID-JAG lifetime; default 300 (never above tokens.lifetimeSeconds). */
  idJagLifetimeSeconds?: number;
  /** Who may get ID-JAGs for which authorization server (token exchange, RFC 8693). */
  idJag?: IdJagPolicyConfig[];
}

export interface ResolvedIdpUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly sub: string;
  readonly email: string | undefined;
  readonly name: string | undefined;
}

export interface ResolvedIdJagPolicy {
  readonly client: string;
  readonly audience: string;
  readonly clientIdAtAudience: string;
  readonly resources: readonly string[];
  readonly scopes: readonly string[];
}

export interface ResolvedIdentityProvider {
  /** `${base}/oauth/authorize`. */
  readonly authorizationEndpoint: string;
  /** By username. */
  readonly users: ReadonlyMap<string, ResolvedIdpUser>;
  /** By sub. */
  readonly usersBySub: ReadonlyMap<string, ResolvedIdpUser>;
  /** Registered redirect URIs by client id: the clients that may sign users in. */
  readonly redirectUris: ReadonlyMap<string, readonly string[]>;
  readonly idTokenLifetimeSeconds: number;
  readonly idJagLifetimeSeconds: number;
  /** client id -> target authorization server issuer -> policy. */
  readonly idJag: ReadonlyMap<string, ReadonlyMap<string, ResolvedIdJagPolicy>>;
}
