import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, methodNotAllowed, noStore, oauthError } from "./answer.js";
import { authenticateClient } from "./client-auth.js";
import { readForm, single } from "./form.js";

export interface RevocationEndpointContext {
  readonly clients: readonly ResolvedClient[];
  revoke(token: string): void;
}

/**
 * RFC 7009 §2.1: a POST with `token` from an authenticated client. §2.2: the
 * answer is 200 whether or not the token was known, so that a caller learns
 * nothing about tokens it does not hold.
 */
export async function revocationEndpoint(ctx: RevocationEndpointContext, request: IncomingMessage): Promise<Answer> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const form = await readForm(request);
  if ("problem" in form) return oauthError(400, "invalid_request", form.problem);
  const authenticated = authenticateClient(request, form.params, ctx.clients);
  if ("answer" in authenticated) return authenticated.answer;
  const token = single(form.params, "token");
  if ("problem" in token) return oauthError(400, "invalid_request", token.problem);
  if (token.value === undefined) return oauthError(400, "invalid_request", "the token parameter is missing (RFC 7009 §2.1)");
  ctx.revoke(token.value);
  return noStore(200, {});
}
