// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523 §2.1,
// RFC 7521 §4.1) with an Identity Assertion JWT Authorization Grant as the
// assertion: draft-ietf-oauth-identity-assertion-authz-grant §4.4 (section
// numbers of the editor's copy after -03, oauth-wg main 2026-04-22). The
// client is already authenticated (draft §8.1: confidential clients only) and
// allowed this grant type (endpoints/token.ts).

import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { JWT_BEARER } from "../id-jag/constants.js";
import { verifyIdJag } from "../id-jag/verify-id-jag.js";
import { recordIdJagUse } from "../id-jag/verify-replay.js";
import { grantedResource } from "../id-jag/verify-resource.js";
import { grantedScopes } from "../id-jag/verify-scope.js";
import { issueAccessToken } from "../tokens/access-token.js";
import { parseScope } from "./scope.js";
import type { TokenResponse } from "./types.js";

export async function jwtBearerGrant(
  ctx: IssuerContext,
  params: ReadonlyMap<string, string>,
  client: ResolvedClient,
  _method: ClientAuthMethod,
): Promise<TokenResponse> {
  // RFC 7521 §4.1: assertion is REQUIRED, one of it (http/params.ts refuses a repeated parameter).
  const assertion = params.get("assertion");
  if (assertion === undefined) throw new OAuthError("invalid_request", "the assertion parameter is missing (RFC 7521 section 4.1)");
  // Malformed request parameters are the client's own error whatever the assertion holds.
  const requestedScopes = parseScope(params.get("scope"));

  const grant = await verifyIdJag(ctx, assertion, client);
  // After verification, so only a client holding a genuine ID-JAG learns which providers it may use (draft §8.4).
  if (!grant.provider.clients.has(client.clientId)) {
    throw new OAuthError("unauthorized_client", "this client may not redeem ID-JAGs of that identity provider", {
      detail: `client ${client.clientId} is not in the clients of trusted identity provider ${grant.provider.issuer}`,
    });
  }
  const resource = grantedResource(client, grant.resources, params);
  const scopes = grantedScopes(client, grant.scopes, requestedScopes);
  await recordIdJagUse(ctx, grant, assertion);

  // The lifetime is the client's usual one (tokens.lifetimeSeconds, at most a day), not the
  // ID-JAG's exp: draft §4.4.3 makes the ID-JAG a short-lived grant the client re-presents
  // (or renews at the IdP) when the access token expires, as it would a refresh token.
  const issued = await issueAccessToken(ctx, { client, grantType: JWT_BEARER, audience: [resource], scopes, subject: grant.subject });
  // Draft §4.4.3 and draft-ietf-oauth-identity-chaining §5.2: no refresh token.
  const body: TokenResponse["body"] = { access_token: issued.token, token_type: "Bearer", expires_in: issued.expiresIn };
  // RFC 6749 §5.1; draft §4.4.1: the answer names the granted scope and resource.
  if (issued.scope !== "") body.scope = issued.scope;
  body.resource = resource;
  return { body, jti: issued.jti };
}
