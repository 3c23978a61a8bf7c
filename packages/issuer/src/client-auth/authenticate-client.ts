// Client authentication at the token, introspection and revocation
// endpoints (RFC 6749 §2.3): exactly one method per request.

import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { authenticateClientSecretBasic } from "./client-secret-basic.js";
import { authenticateClientSecretPost } from "./client-secret-post.js";
import { clientAuthFailed } from "./failure.js";
import { authenticatePrivateKeyJwt } from "./private-key-jwt.js";

export interface AuthenticatedClient {
  client: ResolvedClient;
  method: ClientAuthMethod;
}

/**
 * Authenticates the client of a request whose body parameters are `params`
 * (from readParams). Rejects with an OAuthError: invalid_request for a
 * malformed request (two methods at once), invalid_client (401) for any
 * failed authentication, 429 over the client's rate limit, 503 when the
 * store cannot answer.
 */
export async function authenticateClient(request: Request, params: ReadonlyMap<string, string>, ctx: IssuerContext): Promise<AuthenticatedClient> {
  const authorization = request.headers.get("authorization");
  const basic = authorization !== null;
  const post = params.has("client_secret");
  const assertion = params.has("client_assertion") || params.has("client_assertion_type");
  if (Number(basic) + Number(post) + Number(assertion) > 1) {
    const presented = [basic && "the Authorization header", post && "client_secret", assertion && "client_assertion"].filter((name) => name !== false);
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    throw new OAuthError("invalid_request", `use one client authentication method per request; this one has ${presented.join(" and ")} (RFC 6749 section 2.3)`);
  }
  if (basic) return { client: await authenticateClientSecretBasic(authorization, params, ctx), method: "client_secret_basic" };
  if (post) return { client: await authenticateClientSecretPost(params, ctx), method: "client_secret_post" };
  if (assertion) return { client: await authenticatePrivateKeyJwt(request, params, ctx), method: "private_key_jwt" };
  throw clientAuthFailed(
    ctx.config,
    `no client authentication in the request${params.has("client_id") ? " (client_id alone: public clients are not supported)" : ""}`,
    "client authentication is required",
  );
}
