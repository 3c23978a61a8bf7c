import type { CacheOptions } from "../cache/options.js";
import type { CryptoChoice } from "../crypto/select.js";
import type { JsonFetcher } from "../jwks/fetch-json.js";
import type { JwksOptions } from "../jwks/options.js";
import type { Algorithm } from "../jws/algorithms.js";
import type { JwsHeader } from "../jws/parse.js";

/** The registered claims (RFC 7519 §4.1) and whatever else the issuer put in. */
export interface JwtClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

export type { JwsHeader };

/** A public JWK as published in a JWKS (RFC 7517 §4). */
export interface PublicJwk {
  // Optional in the type so JWKs from other libraries (jose's JWK) fit; checked at run time.
  readonly kty?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
  readonly [member: string]: unknown;
}

export interface JwkSet {
  readonly keys: readonly PublicJwk[];
}

/** A claim path: a top-level claim name (namespaced names with dots and slashes included), or the steps into nested objects. */
export type ClaimPath = string | readonly string[];

/** What a claim must be: equal to a value, or pass a predicate. */
export type ClaimExpectation = string | number | boolean | ((value: unknown, claims: JwtClaims) => boolean);

export interface HmacSecret {
  readonly kid: string;
  readonly secret: string | Uint8Array;
}

/** The verified token as the `check` function sees it. */
export interface CheckContext {
  readonly claims: JwtClaims;
  readonly header: JwsHeader;
  readonly issuer: IssuerInfo;
}

/**
 * Whom to trust and how. One policy per `iss` value; several policies make a
 * federated or multi-tenant setup, each with its own keys.
 */
export interface IssuerPolicy {
  /**
   * The exact `iss` value, compared byte for byte (no trimming, case folding or
   * trailing-slash repair). A template with `{tenantid}` (for example
   * `https://login.microsoftonline.com/{tenantid}/v2.0`) makes a multi-tenant
   * issuer: then `tenants` or `dangerouslyAcceptAnyTenant` is required.
   */
  readonly issuer: string;
  /** A name for logs and hints. Defaults to the issuer. */
  readonly name?: string;
  /** The accepted audience(s): the token's `aud` must contain one. Required unless `dangerouslyAcceptAnyAudience`. */
  readonly audience?: string | readonly string[];
  /** Skip the audience check. Tokens minted for any other API of this issuer are then accepted too. */
  readonly dangerouslyAcceptAnyAudience?: boolean;
  /** The claim that carries the audience. Default `aud`; Cognito access tokens use `client_id`. */
  readonly audienceClaim?: string;
  /** Where the keys are: a JWKS URL... */
  readonly jwksUri?: string;
  /** ...or a static JWK Set... */
  readonly jwks?: JwkSet;
  /** ...or HMAC secrets (then the algorithms are HS256/384/512)... */
  readonly secret?: string | Uint8Array | readonly HmacSecret[];
  /** ...or, when none of those is given, discovery from this URL (default: derived from `issuer`). */
  readonly discoveryUrl?: string;
  /** The algorithm allow-list. Default: RS, PS, ES and EdDSA families. */
  readonly algorithms?: readonly Algorithm[];
  /** Accepted `typ` header values, compared as media types (RFC 7515 §4.1.9). Default `JWT`, `at+jwt`. */
  readonly types?: readonly string[];
  /** Refuse tokens without `typ`. Default false (many issuers send none). */
  readonly requireType?: boolean;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly clockTolerance?: number;
  /** Refuse tokens issued (`iat`) longer ago than this many seconds. */
  readonly maxTokenAge?: number;
  /**
   * Claims in which the issuer says what kind of token this is, when it does
   * not say so in `typ`: Cognito's `token_use` ("access" or "id"), Keycloak's
   * `typ` claim ("Bearer" or "ID"). A different value is `type_not_allowed`,
   * checked before times and audience, so an ID token offered as an access
   * token is named as such (RFC 8725 §3.11).
   */
  readonly kindClaims?: Readonly<Record<string, string>>;
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[];
  /** Claims that must have a value, or pass a predicate. */
  readonly claims?: Readonly<Record<string, ClaimExpectation>>;
  /**
   * A last check of your own, after everything else passed. Return `false` or
   * a reason string to refuse (`claim_invalid`), or throw a `TokenError` to
   * choose the code.
   */
  readonly check?: (token: CheckContext) => boolean | string | undefined | Promise<boolean | string | undefined>;
  /** For a `{tenantid}` template: the tenants accepted. */
  readonly tenants?: readonly string[];
  /** For a `{tenantid}` template: accept every tenant. Anyone who can create a tenant at this provider then gets in. */
  readonly dangerouslyAcceptAnyTenant?: boolean;
  /** The claim that must equal the tenant in `iss`. Default `tid`. */
  readonly tenantClaim?: string;
  /** A grandfathered issuer: refused after this instant (a Date, an ISO 8601 string or Unix seconds). */
  readonly until?: Date | string | number;
  /** Where roles are read. Default `roles`, `groups`, `cognito:groups`, `realm_access.roles`. */
  readonly roleClaims?: readonly ClaimPath[];
  /** Where permissions are read. Default `permissions`. */
  readonly permissionClaims?: readonly ClaimPath[];
  /** Keycloak: also read `resource_access.<client>.roles` for these clients. */
  readonly resourceAccessClients?: readonly string[];
  /** Fetch keys and metadata over plain http from a non-loopback host. Anyone on the path can then swap the keys. */
  readonly dangerouslyAllowInsecureHttp?: boolean;
  /** Overrides of the verifier's JWKS settings for this issuer. */
  readonly jwksOptions?: JwksOptions;
  /**
   * Token introspection (RFC 7662) at this issuer: opaque tokens (anything
   * that is not a compact JWS) are sent to its introspection endpoint, and
   * optionally this issuer's JWTs too, so that revoked ones are refused.
   */
  readonly introspection?: IntrospectionOptions;
}

/** Bounds of the cache of active introspection answers. */
export interface IntrospectionCacheOptions {
  /** Most answers remembered. Default 10,000. */
  readonly maxEntries?: number;
  /** Most (estimated) bytes: the token, the parsed answer and bookkeeping. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Longest an answer is trusted, whatever its `exp`: how late a revocation may be noticed. Default 60 seconds. */
  readonly maxTtlSeconds?: number;
}

/**
 * How tokenward asks an issuer's authorization server whether a token is
 * active (RFC 7662 §2), as a client of its own (RFC 7662 §2.1: the caller
 * authenticates).
 */
export interface IntrospectionOptions {
  /**
   * The introspection endpoint. Default: `introspection_endpoint` from the
   * issuer's metadata (RFC 8414 §2), found like the JWKS (`discoveryUrl`, or
   * the well-known URLs of the issuer). https, or http on a loopback host.
   */
  readonly endpoint?: string;
  /** This API's client id at the authorization server. */
  readonly clientId: string;
  /** Its client secret. Never logged, never in an error or a hint. */
  readonly clientSecret: string;
  /**
   * Client authentication (RFC 6749 §2.3.1): HTTP Basic (the default, which
   * every server must support) or the secret in the form body.
   */
  readonly auth?: "client_secret_basic" | "client_secret_post";
  /**
   * Send opaque tokens (tokens that are not a compact JWS) here. Default
   * true. An opaque token does not say who issued it, so one issuer at most
   * may take them: set false on the others.
   */
  readonly opaqueTokens?: boolean;
  /**
   * Also introspect this issuer's JWTs after they verified (signature,
   * times, audience...), so a revoked JWT is refused within `cache.maxTtlSeconds`.
   * Default false: a JWT is then trusted until it expires.
   */
  readonly introspectJwts?: boolean;
  /**
   * Require `iss` in the introspection answer. Default true. When present,
   * `iss` must always equal the issuer byte for byte; set false only for a
   * server that never sends it (RFC 7662 §2.2 makes it optional).
   */
  readonly requireIssuer?: boolean;
  /** Deadline for one introspection request, headers and body. Default 5000. */
  readonly timeoutMs?: number;
  /** Largest answer accepted, refused while streaming. Default 64 KiB. */
  readonly maxBytes?: number;
  /**
   * After the endpoint was unreachable (timeout, network error, HTTP 5xx),
   * how long new introspections fail fast with `introspection_unavailable`
   * instead of piling up. Default 1000 ms; 0 turns it off.
   */
  readonly failureBackoffMs?: number;
  /**
   * Most introspection requests in flight at once (distinct tokens; one
   * token's concurrent verifications share one request). Beyond it a new
   * token is refused at once with `introspection_unavailable`, never queued:
   * a flood of random opaque tokens, each one a request to the server,
   * cannot pile up requests, sockets or memory. Default 64.
   */
  readonly maxConcurrent?: number;
  /**
   * Active answers are remembered by the exact token until the answer's
   * `exp` or `maxTtlSeconds`, whichever is first (RFC 7662 §4). `false`
   * asks the endpoint for every request (concurrent requests with the same
   * token still share one answer).
   */
  readonly cache?: false | IntrospectionCacheOptions;
}

/** The policy that accepted a token, as results and logs show it: no secrets. */
export interface IssuerInfo {
  readonly issuer: string;
  readonly name: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string | undefined;
}

export interface VerifierOptions {
  /** The trusted issuers. Presets return one policy or several; both fit here. */
  readonly issuers: readonly (IssuerPolicy | readonly IssuerPolicy[])[];
  /** Default for every issuer: seconds of clock skew tolerated. Default 5. */
  readonly clockTolerance?: number;
  /** Default algorithm allow-list for every issuer. */
  readonly algorithms?: readonly Algorithm[];
  /** Default accepted `typ` values for every issuer. */
  readonly types?: readonly string[];
  /** Tokens longer than this are refused before any parsing. Default 16384 bytes. */
  readonly maxTokenBytes?: number;
  /** JWKS fetching and caching bounds. */
  readonly jwks?: JwksOptions;
  /** The HTTP fetcher for JWKS, discovery and introspection (e.g. through a proxy). Default: global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Replace the whole JSON fetcher for JWKS and discovery (tests, custom transports); introspection uses `fetch`. */
  readonly fetchJson?: JsonFetcher;
  /** Signature backend: node:crypto where available (`auto`), or force one. */
  readonly crypto?: CryptoChoice;
  /** The current time in Unix seconds, for time-based claims. Default: the system clock. */
  readonly now?: () => number;
  /**
   * The verified-token cache: on by default (20,000 tokens, 64 MiB, 10 min);
   * `false` turns it off. A hit re-checks the time claims and the issuer's key
   * version, so the cache never changes a decision.
   */
  readonly cache?: false | CacheOptions;
}

export interface VerifiedToken<C extends JwtClaims = JwtClaims> {
  /** The JWT claims set; for an opaque token, the members of the introspection answer. */
  readonly claims: C;
  /** The protected header; for an opaque token, `{ alg: "introspection" }` (no JWS carries that alg). */
  readonly header: JwsHeader;
  /** The issuer policy that matched. */
  readonly issuer: IssuerInfo;
  /** From `scope` (space separated) or `scp` (array or string). */
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  /** `sub`, when present. */
  readonly subject: string | undefined;
  /** The tenant, for a `{tenantid}` issuer template. */
  readonly tenant: string | undefined;
  /** `exp`, in Unix seconds (`Infinity` for an introspected token whose answer has no `exp`). */
  readonly expiresAt: number;
}
