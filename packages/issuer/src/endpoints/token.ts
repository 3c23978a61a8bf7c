// The token endpoint, RFC 6749 §3.2: POST only, parameters form-encoded,
// the client authenticated by exactly one method, then the grant.

import { authenticateClient } from "../client-auth/authenticate-client.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { GRANTS } from "../grants/index.js";
import { readParams } from "../http/params.js";
import { jsonResponse } from "../http/respond.js";

export async function tokenEndpoint(ctx: IssuerContext, request: Request): Promise<Response> {
  const params = await readParams(request, { maxBodyBytes: ctx.config.limits.maxBodyBytes });
  const grantType = params.get("grant_type");
  if (grantType === undefined) throw new OAuthError("invalid_request", "the grant_type parameter is missing");
  const grant = GRANTS.get(grantType);
  if (grant === undefined) {
    throw new OAuthError("unsupported_grant_type", "this server does not support that grant_type", {
      detail: `grant_type ${JSON.stringify(grantType.slice(0, 100))}; supported: ${[...GRANTS.keys()].join(", ")}`,
    });
  }
  const { client, method } = await authenticateClient(request, params, ctx);
  // RFC 6749 §5.2: unauthorized_client when the authenticated client may not use this grant type.
  if (!client.grantTypes.has(grantType)) {
    throw new OAuthError("unauthorized_client", "this client may not use this grant_type", {
      detail: `client ${client.clientId} has grantTypes ${JSON.stringify([...client.grantTypes])}`,
    });
  }
  const started = performance.now();
  const response = await grant(ctx, params, client, method);
  ctx.emit({ type: "token_issued", clientId: client.clientId, grantType, durationMs: performance.now() - started });
  return jsonResponse(response.body);
}
