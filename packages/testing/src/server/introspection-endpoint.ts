import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, noStore } from "./answer.js";
import { readTokenRequest } from "./token-request.js";

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
  const parsed = await readTokenRequest(request, ctx.clients, "RFC 7662 §2.1");
  if ("answer" in parsed) return parsed.answer;
  return noStore(200, await ctx.introspect(parsed.token));
}
