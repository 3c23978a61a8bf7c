// Reads back an ID token this identity provider issued, as the subject_token
// of a token exchange (draft-ietf-oauth-identity-assertion-authz-grant
// §4.3.3, editor's copy after -03: "the IdP MUST validate the subject token
// ... and MUST validate that the audience of the assertion ... matches the
// client_id of the client authentication of the request"). The signature is
// checked against this server's published keys (as tokens/verify-own-token.ts
// does for access tokens), then the header type, issuer, expiry, audience
// and subject. Access tokens and ID-JAGs of this server carry another typ
// and are refused here: a token is used only for what it was issued for
// (RFC 8725 §3.11). The answer is the reason for the operator, or the token.

import { compactVerify, createLocalJWKSet } from "jose";
import type { ResolvedIdpUser } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import type { PublicJwks } from "../keys/types.js";
import { ID_TOKEN_TYP } from "./id-token.js";

export interface VerifiedIdToken {
  readonly user: ResolvedIdpUser;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly authTime: number | undefined;
  readonly amr: readonly string[] | undefined;
}

export type IdTokenCheck = { readonly ok: true; readonly token: VerifiedIdToken } | { readonly ok: false; readonly reason: string };

const keySets = new WeakMap<PublicJwks, ReturnType<typeof createLocalJWKSet>>();
const ALGORITHMS = ["RS256", "ES256", "EdDSA"];
// An ID token of this server is well under 2 KiB; anything far larger is not one.
const MAX_LENGTH = 16_384;
// Claims of this server's access tokens (RFC 9068 §2.2, and the auth0 profile's): never in its ID tokens.
const ACCESS_TOKEN_CLAIMS = ["client_id", "scope", "gty", "azp"];

function fail(reason: string): IdTokenCheck {
  return { ok: false, reason };
}

export async function verifyIdToken(ctx: IssuerContext, token: string, clientId: string): Promise<IdTokenCheck> {
  const idp = ctx.config.identityProvider;
  if (idp === undefined) return fail("the identity provider role is off");
  if (token.length > MAX_LENGTH || token.split(".").length !== 3) return fail("not a compact JWS of a sane size");
  const jwks = ctx.keys.jwks();
  let keySet = keySets.get(jwks);
  if (keySet === undefined) {
    keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(jwks, keySet);
  }
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, keySet, { algorithms: ALGORITHMS });
    header = verified.protectedHeader as Record<string, unknown>;
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(verified.payload));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return fail("the payload is not a JSON object");
    payload = parsed as Record<string, unknown>;
  } catch {
    return fail("the signature does not verify with this server's keys (not issued here, tampered with, or signed by a retired key)");
  }
  if (header.typ !== ID_TOKEN_TYP)
    return fail(`typ ${JSON.stringify(header.typ)} is not an ID token's (${ID_TOKEN_TYP}); access tokens and ID-JAGs are not subject tokens`);
  if (ACCESS_TOKEN_CLAIMS.some((name) => name in payload))
    return fail("it carries access token claims (client_id, scope, gty or azp): an access token, not an ID token");
  // OpenID Connect Core §3.1.3.7, steps 2, 3 and 9: the issuer exactly, this client in aud, not expired.
  if (payload.iss !== ctx.config.issuer) return fail("iss is not this server's issuer");
  const now = Math.floor(ctx.now() / 1000);
  const { exp, iat } = payload;
  if (typeof exp !== "number" || !Number.isFinite(exp) || typeof iat !== "number" || !Number.isFinite(iat)) return fail("exp or iat is missing");
  if (exp <= now) return fail("the ID token has expired; the client signs the user in again for a new one");
  const aud = payload.aud;
  const audience = typeof aud === "string" ? aud : Array.isArray(aud) && aud.length === 1 ? aud[0] : undefined;
  if (audience !== clientId) return fail(`aud ${JSON.stringify(aud)} is not the authenticated client ${JSON.stringify(clientId)}`);
  if (typeof payload.sub !== "string") return fail("sub is missing");
  const user = idp.usersBySub.get(payload.sub);
  if (user === undefined) return fail(`the user ${JSON.stringify(payload.sub)} is no longer configured`);
  if (typeof payload.jti !== "string") return fail("jti is missing");
  // A replayed authorization code revokes the ID tokens issued from it (RFC 6749 §4.1.2).
  if (await ctx.store.isRevoked(payload.jti)) return fail("the ID token was revoked (its authorization code was used twice)");
  const authTime = typeof payload.auth_time === "number" && Number.isFinite(payload.auth_time) ? payload.auth_time : undefined;
  const amr = Array.isArray(payload.amr) && payload.amr.every((value) => typeof value === "string") ? (payload.amr as string[]) : undefined;
  return { ok: true, token: { user, jti: payload.jti, authTime, amr } };
}
