// Validation of an Identity Assertion JWT Authorization Grant presented with
// the jwt-bearer grant: draft-ietf-oauth-identity-assertion-authz-grant §4.4.1
// (section numbers of the editor's copy after -03, oauth-wg main 2026-04-22),
// which applies RFC 7521 §5.2 and RFC 7523 §3. Every defect is the same
// invalid_grant (verify-failure.ts); the reason goes to the operator's log.
//
// Order: the issuer is chosen by the unverified iss, then tokenward verifies
// typ, alg, signature, times, aud and the required claims; the remaining
// rules run only on a verified ID-JAG, so a forged one learns nothing, and no
// replay record is made here (verify-replay.ts, after the whole request passed).

import { decodeUnverified, TokenError, type VerifiedToken } from "tokenward";
import type { ResolvedClient, ResolvedTrustedIdentityProvider } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { mapSubject } from "./subject-map.js";
import { trustVerifier } from "./trust-verifiers.js";
import { assertionRefused } from "./verify-failure.js";

export interface VerifiedIdJag {
  readonly provider: ResolvedTrustedIdentityProvider;
  /** The access token's subject, after subject resolution (subject-map.ts). */
  readonly subject: string;
  readonly jti: string;
  /** exp, in Unix seconds. */
  readonly exp: number;
  /** The resource claim (RFC 8707 §2), as a list; undefined when absent. */
  readonly resources: readonly string[] | undefined;
  /** The scope claim (RFC 6749 §3.3), as a list; undefined when absent. */
  readonly scopes: readonly string[] | undefined;
}

// The same bound tokenward's verifier applies (maxTokenBytes), checked before anything is decoded.
const MAX_ASSERTION_LENGTH = 16_384;
const MAX_IDENTIFIER_LENGTH = 1024;
const MAX_RESOURCES = 20;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The unverified iss: only to choose which provider's keys verify the ID-JAG. */
function claimedIssuer(assertion: string): string {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw assertionRefused(`the assertion is ${assertion.length} characters long; at most ${MAX_ASSERTION_LENGTH}`);
  let payload: unknown;
  try {
    payload = decodeUnverified(assertion).payload;
  } catch (error) {
    throw assertionRefused(`the assertion is not a JWT: ${TokenError.is(error) ? error.hint : String(error)}`);
  }
  const iss = typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>).iss : undefined;
  if (typeof iss !== "string" || iss === "") throw assertionRefused(`the assertion has no iss naming its issuer (RFC 7523 §3 item 1); iss is ${show(iss)}`);
  return iss;
}

function identifier(claims: VerifiedToken["claims"], name: string): string {
  const value = claims[name];
  if (typeof value !== "string" || value === "" || value.length > MAX_IDENTIFIER_LENGTH) {
    throw assertionRefused(`${name} must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters; it is ${show(value)}`);
  }
  return value;
}

function optionalString(claims: VerifiedToken["claims"], name: string): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw assertionRefused(`${name} must be a string (draft §3.1); it is ${show(value)}`);
  return value;
}

/** RFC 8707 §2: an absolute URI without a fragment. */
function isResourceIndicator(value: string): boolean {
  if (value === "" || value.includes("#") || value.length > 2048) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

/** Draft §3.1: resource is "either a single URI or an array of URIs" (RFC 8707 §2). */
function resourceClaim(claims: VerifiedToken["claims"]): string[] | undefined {
  const value = claims.resource;
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
  if (list === undefined || list.length === 0 || list.length > MAX_RESOURCES || !list.every((item) => typeof item === "string" && isResourceIndicator(item))) {
    throw assertionRefused(
      `resource must be an absolute URI without a fragment, or an array of 1 to ${MAX_RESOURCES} of them (draft §3.1, RFC 8707 §2); it is ${show(value)}`,
    );
  }
  return [...new Set(list as string[])];
}

/** Draft §3.1: scope is a JSON string of space-separated scope tokens (RFC 6749 §3.3). */
function scopeClaim(claims: VerifiedToken["claims"]): string[] | undefined {
  const value = claims.scope;
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw assertionRefused(`scope must be a space-separated string (draft §3.1); it is ${show(value)}`);
  const tokens = value.split(" ").filter((token) => token !== "");
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) throw assertionRefused(`scope is not a list of scope tokens (RFC 6749 §3.3): ${show(value)}`);
  return [...new Set(tokens)];
}

async function verifySignedGrant(ctx: IssuerContext, provider: ResolvedTrustedIdentityProvider, assertion: string): Promise<VerifiedToken> {
  try {
    return await trustVerifier(ctx.config, provider, ctx.now).verify(assertion);
  } catch (error) {
    // A provider whose keys cannot be fetched is refused the same way: a
    // distinct answer would tell a client which issuers are trusted. The
    // operator reads jwks_unavailable in the detail.
    if (TokenError.is(error)) throw assertionRefused(`${error.code} (issuer ${show(provider.issuer)}): ${error.hint}`);
    throw error;
  }
}

/**
 * Verifies `assertion` as an ID-JAG for `client` (already authenticated) and
 * resolves its subject. Rejects with invalid_grant for any defect.
 */
export async function verifyIdJag(ctx: IssuerContext, assertion: string, client: ResolvedClient): Promise<VerifiedIdJag> {
  const { config } = ctx;
  const iss = claimedIssuer(assertion);
  // Draft §8.3: a server never redeems an ID-JAG it issued itself (the configuration refuses to trust itself, too).
  if (iss === config.issuer) throw assertionRefused("the assertion was issued by this server itself (draft §8.3: never redeem a self-issued grant)");
  const provider = config.trustedIdentityProviders.get(iss);
  if (provider === undefined) {
    const trusted =
      config.trustedIdentityProviders.size === 0 ? "none is configured (trustedIdentityProviders)" : [...config.trustedIdentityProviders.keys()].join(", ");
    throw assertionRefused(`iss ${show(iss)} is not a trusted identity provider (compared byte for byte); trusted: ${trusted}`);
  }

  const verified = await verifySignedGrant(ctx, provider, assertion);
  const { claims } = verified;

  // Draft §4.4.1: aud "MAY be a string ... or an array containing a single issuer identifier ... it MUST contain exactly one element".
  const aud = claims.aud;
  if (!(aud === config.issuer || (Array.isArray(aud) && aud.length === 1 && aud[0] === config.issuer))) {
    throw assertionRefused(`aud must be this server's issuer ${show(config.issuer)}, as a string or an array of exactly one; it is ${show(aud)}`);
  }

  // RFC 7523 §3 items 4 and 6: the verifier checked exp in the future and iat not in the
  // future (within idJag.clockToleranceSeconds); a long-lived grant is refused here.
  const iat = claims.iat as number;
  const exp = verified.expiresAt;
  const maxLifetime = config.idJag.maxLifetimeSeconds;
  if (exp - iat > maxLifetime) {
    throw assertionRefused(
      `the assertion is valid for ${Math.round(exp - iat)} s (exp - iat); at most ${maxLifetime} s are accepted (idJag.maxLifetimeSeconds)`,
    );
  }

  const sub = identifier(claims, "sub");
  const jti = identifier(claims, "jti");
  const clientId = identifier(claims, "client_id");
  // Draft §4.4.1: client_id "MUST identify the same client as the client authentication in the request".
  if (clientId !== client.clientId) {
    throw assertionRefused(`client_id ${show(clientId)} is not the authenticated client ${show(client.clientId)}`);
  }

  // Draft §8.6.1: a cnf claim binds the grant to a key whose possession must be proven (DPoP);
  // this server verifies no proof of possession, so a bound grant is refused, never redeemed unbound.
  if (Object.hasOwn(claims, "cnf")) throw assertionRefused("it carries cnf (a key binding); this server supports no proof of possession (draft §8.6.1)");
  // Draft §4.4.1: authorization_details MUST be processed per RFC 9396; this server does not
  // implement RAR, so it refuses rather than issue a token that ignores them.
  if (Object.hasOwn(claims, "authorization_details")) {
    throw assertionRefused("it carries authorization_details (RFC 9396), which this server does not process");
  }

  const resources = resourceClaim(claims);
  const scopes = scopeClaim(claims);
  const subject = mapSubject(provider, {
    sub,
    email: optionalString(claims, "email"),
    emailVerified: claims.email_verified,
    tenant: optionalString(claims, "tenant"),
  });
  if (subject === undefined) {
    throw assertionRefused(`no account of identity provider ${show(provider.issuer)} matches this user, and its subject.unmatched is "refuse"`);
  }
  return { provider, subject, jti, exp, resources, scopes };
}
