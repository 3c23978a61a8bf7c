// grant_type=client_credentials, RFC 6749 §4.4: the client acts on its own
// behalf. §4.4.3: no refresh token is issued.

import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { issueAccessToken } from "../tokens/access-token.js";
import { selectAudience } from "./audience.js";
import { grantScopes, parseScope } from "./scope.js";
import type { TokenResponse } from "./types.js";

export async function clientCredentialsGrant(
  ctx: IssuerContext,
  params: ReadonlyMap<string, string>,
  client: ResolvedClient,
  _method: ClientAuthMethod,
): Promise<TokenResponse> {
  // Parse before deciding anything so that a malformed scope is invalid_scope whatever else is wrong.
  const requested = parseScope(params.get("scope"));
  const audience = selectAudience(client, params);
  const scopes = grantScopes(requested, client.scopes, client.defaultScopes);
  const issued = await issueAccessToken(ctx, { client, grantType: "client_credentials", audience, scopes });
  const body: TokenResponse["body"] = {
    access_token: issued.token,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
  };
  // RFC 6749 §5.1: scope is REQUIRED when it differs from the request; always sent so clients need not compare.
  if (issued.scope !== "") body.scope = issued.scope;
  return { body, jti: issued.jti };
}
