// Token revocation, RFC 7009. §2.1: the client authenticates, and may revoke
// only tokens issued to it. §2.2: an invalid or unknown token is answered 200
// all the same: the client cannot tell, and need not care.

import { authenticateClient } from "../client-auth/authenticate-client.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { readParams } from "../http/params.js";
import { verifyOwnToken } from "../tokens/verify-own-token.js";

export async function revocationEndpoint(ctx: IssuerContext, request: Request): Promise<Response> {
  const params = await readParams(request, { maxBodyBytes: ctx.config.limits.maxBodyBytes });
  const { client } = await authenticateClient(request, params, ctx);
  const token = params.get("token");
  if (token === undefined) throw new OAuthError("invalid_request", "the token parameter is missing");
  // token_type_hint is only a hint: §2.1 says a server that cannot find the token
  // with it MUST search every type it supports; we issue one type.
  const own = await verifyOwnToken(ctx, token);
  if (own !== undefined && own.jti !== undefined) {
    if (own.clientId !== client.clientId) {
      // §2.1: "verifies whether the token was issued to the client making the revocation request".
      throw new OAuthError("unauthorized_client", "the token was not issued to this client", {
        detail: `client ${client.clientId} tried to revoke a token of ${String(own.clientId)}`,
      });
    }
    await ctx.store.revoke(own.jti, own.exp * 1000);
    ctx.emit({ type: "revoked", clientId: client.clientId });
  }
  return new Response(null, { status: 200, headers: { "cache-control": "no-store", pragma: "no-cache" } });
}
