import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, methodNotAllowed, oauthError } from "./answer.js";
import { authenticateClient } from "./client-auth.js";
import { readForm, single } from "./form.js";

/**
 * What introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) requests
 * share: a form POST from an authenticated client carrying exactly one
 * `token` (a `token_type_hint` is only a hint). `rfc` names the section a
 * missing token breaks, for the error description.
 */
export async function readTokenRequest(
  request: IncomingMessage,
  clients: readonly ResolvedClient[],
  rfc: string,
): Promise<{ readonly token: string } | { readonly answer: Answer }> {
  if (request.method !== "POST") return { answer: methodNotAllowed("POST") };
  const form = await readForm(request);
  if ("problem" in form) return { answer: oauthError(400, "invalid_request", form.problem) };
  const authenticated = authenticateClient(request, form.params, clients);
  if ("answer" in authenticated) return { answer: authenticated.answer };
  const token = single(form.params, "token");
  if ("problem" in token) return { answer: oauthError(400, "invalid_request", token.problem) };
  if (token.value === undefined) return { answer: oauthError(400, "invalid_request", `the token parameter is missing (${rfc})`) };
  return { token: token.value };
}
