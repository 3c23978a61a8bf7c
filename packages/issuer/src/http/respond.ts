// Responses of the authorization server. RFC 6749 §5.1 and §5.2: token
// answers and errors carry Cache-Control: no-store and Pragma: no-cache.

import { OAuthError } from "../errors/oauth-error.js";

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...NO_STORE, ...headers },
  });
}

export function errorResponse(error: OAuthError): Response {
  return jsonResponse(error.toJSON(), error.status, { ...error.headers });
}

/** Anything that is not an OAuthError becomes server_error: logged by the caller, never shown. */
export function toOAuthError(error: unknown): OAuthError {
  if (OAuthError.is(error)) return error;
  return new OAuthError("server_error", "the server could not handle the request", {
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}
