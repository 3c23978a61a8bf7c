import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, noStore } from "./answer.js";
import { readTokenRequest } from "./token-request.js";

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
  const parsed = await readTokenRequest(request, ctx.clients, "RFC 7009 §2.1");
  if ("answer" in parsed) return parsed.answer;
  ctx.revoke(parsed.token);
  return noStore(200, {});
}
