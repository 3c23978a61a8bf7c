// Reads back an access token this issuer signed (introspection, revocation):
// the signature against our own published keys, the issuer exactly, and the
// expiry. Anything else means "not a token of ours", which both endpoints
// answer without saying why (RFC 7662 §2.2, RFC 7009 §2.2).

import { compactVerify, createLocalJWKSet, type JWTPayload } from "jose";
import type { IssuerContext } from "../context.js";
import type { PublicJwks } from "../keys/types.js";

export interface OwnToken {
  payload: JWTPayload & Record<string, unknown>;
  /** The client the token was issued to (client_id, or azp in the auth0 profile). */
  clientId: string | undefined;
  jti: string | undefined;
  exp: number;
}

const keySets = new WeakMap<PublicJwks, ReturnType<typeof createLocalJWKSet>>();

const ALGORITHMS = ["RS256", "ES256", "EdDSA"];

/**
 * The same keys sign ID tokens (typ JWT) and ID-JAGs (typ oauth-id-jag+jwt)
 * in the identity provider role; only access tokens may be vouched for, or a
 * resource server relying on introspection would take an ID token or an
 * ID-JAG for one (RFC 8725 §3.11: explicit typing keeps kinds of JWT apart;
 * RFC 9068 §2.1: typ at+jwt). The auth0 profile's typ is JWT, as an ID
 * token's: its access tokens are told apart by gty and azp, which ID tokens
 * never carry. Both profiles are accepted, so a profile change does not
 * orphan tokens already issued.
 */
function isAccessToken(typ: unknown, payload: Record<string, unknown>): boolean {
  if (typ === "at+jwt") return true;
  return typ === "JWT" && typeof payload.gty === "string" && typeof payload.azp === "string";
}

export async function verifyOwnToken(ctx: IssuerContext, token: string): Promise<OwnToken | undefined> {
  // Bounded before any parsing: our tokens are a few hundred bytes plus custom claims.
  if (token.length === 0 || token.length > 16_384 || token.split(".").length !== 3) return undefined;
  const jwks = ctx.keys.jwks();
  let keySet = keySets.get(jwks);
  if (keySet === undefined) {
    keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(jwks, keySet);
  }
  let payloadBytes: Uint8Array;
  let typ: unknown;
  try {
    ({
      payload: payloadBytes,
      protectedHeader: { typ },
    } = await compactVerify(token, keySet, { algorithms: ALGORITHMS }));
  } catch {
    return undefined;
  }
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    payload = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (payload.iss !== ctx.config.issuer) return undefined;
  const exp = payload.exp;
  if (typeof exp !== "number" || !Number.isFinite(exp)) return undefined;
  if (exp <= Math.floor(ctx.now() / 1000)) return undefined;
  if (!isAccessToken(typ, payload)) return undefined;
  const clientId = typeof payload.client_id === "string" ? payload.client_id : typeof payload.azp === "string" ? payload.azp : undefined;
  const jti = typeof payload.jti === "string" ? payload.jti : undefined;
  return { payload: payload as OwnToken["payload"], clientId, jti, exp };
}
