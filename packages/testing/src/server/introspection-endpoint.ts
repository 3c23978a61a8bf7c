import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, methodNotAllowed, noStore, oauthError } from "./answer.js";
import { authenticateClient } from "./client-auth.js";
import { readForm, single } from "./form.js";

export interface IntrospectionEndpointContext {
  readonly clients: readonly ResolvedClient[];
  introspect(token: string): Promise<Record<string, unknown>>;
}

/**
 * RFC 7662 §2.1: a POST with `token` (and an optional `token_type_hint`, only
 * a hint) from an authenticated client; §2.2: the answer is a JSON object
 * whose `active` says whether the token is one this issuer vouches for now.
 */
export async function introspectionEndpoint(ctx: IntrospectionEndpointContext, request: IncomingMessage): Promise<Answer> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const form = await readForm(request);
  if ("problem" in form) return oauthError(400, "invalid_request", form.problem);
  const authenticated = authenticateClient(request, form.params, ctx.clients);
  if ("answer" in authenticated) return authenticated.answer;
  const token = single(form.params, "token");
  if ("problem" in token) return oauthError(400, "invalid_request", token.problem);
  if (token.value === undefined) return oauthError(400, "invalid_request", "the token parameter is missing (RFC 7662 §2.1)");
  return noStore(200, await ctx.introspect(token.value));
}
