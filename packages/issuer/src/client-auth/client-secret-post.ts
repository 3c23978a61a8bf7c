// client_secret_post: RFC 6749 §2.3.1, client_id and client_secret in the body.

import type { ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { authenticateWithSecret } from "./client-secret.js";

export async function authenticateClientSecretPost(params: ReadonlyMap<string, string>, ctx: IssuerContext): Promise<ResolvedClient> {
  const clientId = params.get("client_id");
  const secret = params.get("client_secret");
  if (clientId === undefined) throw new OAuthError("invalid_request", "client_secret was sent without client_id; send both (RFC 6749 section 2.3.1)");
  if (secret === undefined) throw new OAuthError("invalid_request", "the client_secret parameter is missing");
  return authenticateWithSecret(ctx, "client_secret_post", [clientId], [secret]);
}
