// ID tokens (OpenID Connect Core §2) of the identity provider role, signed
// with this server's keys. aud is the relying party's client_id; the token
// is what the relying party later presents as subject_token to get an ID-JAG
// (draft-ietf-oauth-identity-assertion-authz-grant §4.3.3, editor's copy
// after -03), so it carries a jti, which lets a replayed authorization code
// revoke it (RFC 6749 §4.1.2).

import { randomUUID } from "node:crypto";
import type { ResolvedClient, ResolvedIdpUser } from "../config/types.js";
import type { IssuerContext } from "../context.js";

/** RFC 8176 §2: "pwd", password-based authentication, the only method of this sign-in. */
export const PASSWORD_AMR: readonly string[] = Object.freeze(["pwd"]);

/** The `typ` header of ID tokens: JWT, as OpenID providers commonly send; access tokens are at+jwt, ID-JAGs oauth-id-jag+jwt. */
export const ID_TOKEN_TYP = "JWT";

export interface IdTokenRequest {
  client: ResolvedClient;
  user: ResolvedIdpUser;
  /** Seconds since the epoch: when the user signed in. */
  authTime: number;
  /** Echoed when the authorization request had one (OpenID Connect Core §3.1.3.6). */
  nonce: string | undefined;
  /** The granted scopes: email and profile decide whether email and name are included (OpenID Connect Core §5.4). */
  scopes: readonly string[];
}

export interface IssuedIdToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAtMs: number;
}

export async function issueIdToken(ctx: IssuerContext, request: IdTokenRequest): Promise<IssuedIdToken> {
  const idp = ctx.config.identityProvider;
  if (idp === undefined) throw new Error("issueIdToken needs the identity provider role (identityProvider in the configuration)");
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = idp.idTokenLifetimeSeconds;
  const jti = randomUUID();
  // OpenID Connect Core §2: iss, sub, aud, exp, iat REQUIRED; auth_time, nonce, amr as the request makes them relevant.
  const payload: Record<string, unknown> = {
    iss: ctx.config.issuer,
    sub: request.user.sub,
    aud: request.client.clientId,
    exp: iat + expiresIn,
    iat,
    auth_time: request.authTime,
    jti,
    amr: [...PASSWORD_AMR],
  };
  if (request.nonce !== undefined) payload.nonce = request.nonce;
  if (request.scopes.includes("email") && request.user.email !== undefined) payload.email = request.user.email;
  if (request.scopes.includes("profile") && request.user.name !== undefined) payload.name = request.user.name;
  const token = await ctx.keys.sign({ typ: ID_TOKEN_TYP }, payload);
  return { token, jti, expiresIn, expiresAtMs: (iat + expiresIn) * 1000 };
}
