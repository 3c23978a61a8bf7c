import { compactVerify } from "jose";
import type { KeyRing } from "./key-ring.js";
import { MOCK_ALGORITHMS } from "./keys.js";
import type { TokenStore } from "./token-store.js";

export interface IntrospectionContext {
  readonly issuer: string;
  readonly keys: KeyRing;
  readonly store: TokenStore;
  /** Unix seconds. */
  now(): number;
}

const INACTIVE = Object.freeze({ active: false });
// RFC 7515 §4.1.9 (media types, "application/" optional): the access token types; an
// ID-JAG, an ID token or anything else this mock signed is not an access token.
const ACCESS_TOKEN_TYPES = new Set(["application/jwt", "application/at+jwt"]);

function isAccessTokenType(typ: unknown): boolean {
  if (typ === undefined) return true;
  if (typeof typ !== "string") return false;
  const lower = typ.toLowerCase();
  return ACCESS_TOKEN_TYPES.has(lower.includes("/") ? lower : `application/${lower}`);
}

function timesHold(claims: Record<string, unknown>, now: number): boolean {
  // RFC 7519 §4.1.4 and §4.1.5; no tolerance: the mock and the test share a clock.
  if (claims.exp !== undefined && (typeof claims.exp !== "number" || claims.exp <= now)) return false;
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > now)) return false;
  return true;
}

async function verifyOwnJwt(ctx: IntrospectionContext, token: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(
      token,
      (header) => {
        const key = typeof header.kid === "string" ? ctx.keys.find(header.kid) : undefined;
        if (key === undefined || key.alg !== header.alg) throw new Error("not one of this issuer's published keys");
        return key.publicKey;
      },
      { algorithms: [...MOCK_ALGORITHMS] },
    );
    if (!isAccessTokenType(protectedHeader.typ)) return undefined;
    const claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload)) as unknown;
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return undefined;
    return claims as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * RFC 7662 §2.2: `{"active": true, ...claims}` for an access token this mock
 * issued (a JWT signed with a published key and carrying this issuer, or an
 * opaque token from mintOpaque) that has not expired or been revoked;
 * `{"active": false}` for anything else, without saying why. An opaque
 * token's answer carries its claims as minted, `iss` included (this issuer
 * unless the test chose another, to see what its API does with that).
 */
export async function introspect(ctx: IntrospectionContext, token: string): Promise<Record<string, unknown>> {
  const now = ctx.now();
  const opaque = ctx.store.opaqueClaims(token);
  const claims = opaque ?? (token.split(".").length === 3 ? await verifyOwnJwt(ctx, token) : undefined);
  if (claims === undefined || (opaque === undefined && claims.iss !== ctx.issuer)) return { ...INACTIVE };
  if (!timesHold(claims, now) || ctx.store.isRevoked(token, claims.jti)) return { ...INACTIVE };
  return { ...claims, active: true, token_type: "Bearer" };
}
