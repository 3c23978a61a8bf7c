// Token introspection, RFC 7662. §2.1: the caller must be authorized (here:
// an authenticated client allowed to introspect). §2.2: an inactive,
// expired, revoked, foreign or malformed token is just {"active": false},
// and the answer carries `iss` so that resource servers can check who
// vouches for it.

import { authenticateClient } from "../client-auth/authenticate-client.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { readParams } from "../http/params.js";
import { jsonResponse } from "../http/respond.js";
import { verifyOwnToken } from "../tokens/verify-own-token.js";

export async function introspectionEndpoint(ctx: IssuerContext, request: Request): Promise<Response> {
  const params = await readParams(request, { maxBodyBytes: ctx.config.limits.maxBodyBytes });
  const { client } = await authenticateClient(request, params, ctx);
  if (!client.introspect) {
    throw new OAuthError("unauthorized_client", "this client may not introspect tokens", {
      detail: `client ${client.clientId} has introspect: false`,
    });
  }
  const token = params.get("token");
  if (token === undefined) throw new OAuthError("invalid_request", "the token parameter is missing");
  // token_type_hint is only a hint (§2.1); we issue one kind of token.
  const own = await verifyOwnToken(ctx, token);
  if (own === undefined || (own.jti !== undefined && (await ctx.store.isRevoked(own.jti)))) {
    ctx.emit({ type: "introspected", clientId: client.clientId, detail: "inactive" });
    return jsonResponse({ active: false });
  }
  ctx.emit({ type: "introspected", clientId: client.clientId, detail: "active" });
  // §2.2: top-level members are the token's claims plus active and token_type.
  return jsonResponse({ ...own.payload, active: true, token_type: "Bearer", iss: ctx.config.issuer });
}
