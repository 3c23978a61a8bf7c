// Responses of the authorization server. RFC 6749 §5.1 and §5.2: token
// answers and errors carry Cache-Control: no-store and Pragma: no-cache.
// Every endpoint answer also carries X-Content-Type-Options: nosniff.

import { OAuthError } from "../errors/oauth-error.js";

// Responses built here already carry nosniff, so withNosniff need not touch
// their headers: reading `headers` of @hono/node-server's light Response
// turns its plain header object into a Headers instance, off its fast path.
const built = new WeakSet<Response>();

/** A Response with nosniff among its initial headers. */
export function secureResponse(body: string | null, status: number, headers: Readonly<Record<string, string>>): Response {
  const response = new Response(body, { status, headers: { ...headers, "x-content-type-options": "nosniff" } });
  built.add(response);
  return response;
}

export function jsonResponse(body: unknown, status = 200, headers?: Readonly<Record<string, string>>): Response {
  const response = new Response(JSON.stringify(body), {
    status,
    headers:
      headers === undefined
        ? { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", pragma: "no-cache", "x-content-type-options": "nosniff" }
        : {
            "content-type": "application/json;charset=UTF-8",
            "cache-control": "no-store",
            pragma: "no-cache",
            ...headers,
            "x-content-type-options": "nosniff",
          },
  });
  built.add(response);
  return response;
}

/** Adds nosniff to a Response built elsewhere; one from this module already has it and is returned untouched. */
export function withNosniff(response: Response): Response {
  if (!built.has(response)) response.headers.set("x-content-type-options", "nosniff");
  return response;
}

export function errorResponse(error: OAuthError): Response {
  return jsonResponse(error.toJSON(), error.status, error.headers);
}

/** Anything that is not an OAuthError becomes server_error: logged by the caller, never shown. */
export function toOAuthError(error: unknown): OAuthError {
  if (OAuthError.is(error)) return error;
  return new OAuthError("server_error", "the server could not handle the request", {
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}
