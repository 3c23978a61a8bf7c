// grant_type=authorization_code (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5,
// §4.6) at the token endpoint, for the identity provider role: the code
// from the authorization endpoint becomes an ID token (OpenID Connect Core
// §3.1.3.3) and an access token for this server itself (aud = the issuer,
// as an OpenID provider's access token is for its own UserInfo; no API
// accepts it). Every defect of the code is one invalid_grant, with the
// reason in the operator's log only.

import { createHash, timingSafeEqual } from "node:crypto";
import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import type { TokenResponse } from "../grants/types.js";
import { issueAccessToken } from "../tokens/access-token.js";
import { authorizationCodes } from "./authorization-codes.js";
import { issueIdToken } from "./id-token.js";

// RFC 7636 §4.1: code-verifier = 43*128unreserved.
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const INVALID_CODE = "the authorization code is invalid, expired, already used, or was issued to another client or redirect_uri";

function badCode(detail: string): OAuthError {
  return new OAuthError("invalid_grant", INVALID_CODE, { detail });
}

function required(params: ReadonlyMap<string, string>, name: string, why: string): string {
  const value = params.get(name);
  if (value === undefined) throw new OAuthError("invalid_request", `the ${name} parameter is missing; ${why}`);
  return value;
}

function sameBytes(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function authorizationCodeGrant(
  ctx: IssuerContext,
  params: ReadonlyMap<string, string>,
  client: ResolvedClient,
  _method: ClientAuthMethod,
): Promise<TokenResponse> {
  const idp = ctx.config.identityProvider;
  if (idp === undefined) throw new OAuthError("unsupported_grant_type", "this server does not support that grant_type");
  const code = required(params, "code", "send the code from the authorization response (RFC 6749 section 4.1.3)");
  // RFC 6749 §4.1.3: REQUIRED when the authorization request had one, and this server requires it there (OpenID Connect Core §3.1.2.1).
  const redirectUri = required(params, "redirect_uri", "send the redirect_uri of the authorization request (RFC 6749 section 4.1.3)");
  const verifier = required(params, "code_verifier", "this server requires PKCE (RFC 7636 section 4.5)");
  if (!CODE_VERIFIER.test(verifier)) throw new OAuthError("invalid_request", "code_verifier must be 43 to 128 unreserved characters (RFC 7636 section 4.1)");

  const codes = authorizationCodes(ctx.config);
  const found = codes.find(code, ctx.now());
  if (found === undefined) throw badCode("unknown or expired authorization code (codes live 60 s, on the instance that issued them)");
  const { key, record } = found;
  // RFC 6749 §4.1.3: the code was issued to the authenticated client, for this redirect_uri.
  if (record.clientId !== client.clientId)
    throw badCode(`the code was issued to client ${JSON.stringify(record.clientId)}, not ${JSON.stringify(client.clientId)}`);
  if (record.redirectUri !== redirectUri) throw badCode("redirect_uri differs from the authorization request's");
  // RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge, else invalid_grant.
  const challenge = createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (!sameBytes(challenge, record.codeChallenge)) throw badCode("code_verifier does not match the code_challenge (RFC 7636 section 4.6)");

  const first = await ctx.store.useOnce("authorization-code", key, record.expiresAtMs);
  if (!first) {
    // RFC 6749 §4.1.2: a code used twice is refused, and what it gave is revoked.
    record.replayed = true;
    await Promise.all(record.issued.map((token) => ctx.store.revoke(token.jti, token.expiresAtMs)));
    throw badCode(`authorization code used a second time; ${record.issued.length} token(s) issued from it revoked`);
  }
  const user = idp.usersBySub.get(record.sub);
  if (user === undefined) throw badCode(`the user ${JSON.stringify(record.sub)} is no longer configured`);

  const idToken = await issueIdToken(ctx, { client, user, authTime: record.authTime, nonce: record.nonce, scopes: record.scopes });
  const access = await issueAccessToken(ctx, {
    client,
    grantType: "authorization_code",
    audience: [ctx.config.issuer],
    scopes: record.scopes,
    subject: user.sub,
    extra: { auth_time: record.authTime },
  });
  record.issued.push(
    { jti: idToken.jti, expiresAtMs: idToken.expiresAtMs },
    { jti: access.jti, expiresAtMs: (Math.floor(ctx.now() / 1000) + access.expiresIn) * 1000 },
  );
  if (record.replayed) {
    // A second redemption raced this one: RFC 6749 §4.1.2 again, for what was just issued.
    await Promise.all(record.issued.map((token) => ctx.store.revoke(token.jti, token.expiresAtMs)));
  }
  const body: TokenResponse["body"] = {
    access_token: access.token,
    token_type: "Bearer",
    expires_in: access.expiresIn,
    // OpenID Connect Core §3.1.3.3: the ID token in the token response.
    id_token: idToken.token,
  };
  if (access.scope !== "") body.scope = access.scope;
  return { body, jti: access.jti };
}
