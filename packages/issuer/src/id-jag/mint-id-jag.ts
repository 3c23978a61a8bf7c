// Mints an Identity Assertion JWT Authorization Grant (ID-JAG):
// draft-ietf-oauth-identity-assertion-authz-grant §3 and §3.1 (editor's copy
// after -03, main 4b22498). Header typ oauth-id-jag+jwt (§3.1, RFC 8725
// §3.11); signed with this server's current key. Claims: iss, sub, aud
// (the target authorization server's issuer), client_id (the client's id
// AT THAT SERVER, §5), jti, exp, iat (all REQUIRED); resource and scope as
// granted (§4.3.3: "MUST include the granted resource (if any), scope (if
// any)"); auth_time and amr from the sign-in; email, which §3.1 RECOMMENDS
// for subject resolution at the resource authorization server. No tenant:
// this issuer is single-tenant (§6.1). No cnf, act or authorization_details:
// proof-of-possession, actor tokens and RAR are not offered (token-exchange.ts
// refuses requests that ask for them).

import { randomUUID } from "node:crypto";
import type { IssuerContext } from "../context.js";
import { ID_JAG_TYP } from "./constants.js";

export interface IdJagClaims {
  /** The user's subject identifier (§3.1: the same as in an ID token for the resource authorization server). */
  subject: string;
  /** The resource authorization server's issuer identifier. */
  audience: string;
  /** The client's client_id at the resource authorization server. */
  clientId: string;
  /** The granted resource indicator, if any (RFC 8707 §2). */
  resource: string | undefined;
  /** The granted scopes; none: no scope claim. */
  scopes: readonly string[];
  authTime: number | undefined;
  amr: readonly string[] | undefined;
  email: string | undefined;
}

export interface MintedIdJag {
  token: string;
  jti: string;
  expiresIn: number;
  scope: string;
}

export async function mintIdJag(ctx: IssuerContext, claims: IdJagClaims, lifetimeSeconds: number): Promise<MintedIdJag> {
  const iat = Math.floor(ctx.now() / 1000);
  const jti = randomUUID();
  const scope = claims.scopes.join(" ");
  const payload: Record<string, unknown> = {
    iss: ctx.config.issuer,
    sub: claims.subject,
    aud: claims.audience,
    client_id: claims.clientId,
    jti,
    exp: iat + lifetimeSeconds,
    iat,
  };
  if (claims.resource !== undefined) payload.resource = claims.resource;
  // §3.1: scope is a space-separated string (RFC 6749 §3.3).
  if (scope !== "") payload.scope = scope;
  if (claims.authTime !== undefined) payload.auth_time = claims.authTime;
  if (claims.amr !== undefined && claims.amr.length > 0) payload.amr = [...claims.amr];
  if (claims.email !== undefined) payload.email = claims.email;
  const token = await ctx.keys.sign({ typ: ID_JAG_TYP }, payload);
  return { token, jti, expiresIn: lifetimeSeconds, scope };
}
