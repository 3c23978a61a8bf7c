import type { TokenError } from "../errors/token-error.js";

export interface ChallengeOptions {
  /** The protection space named in challenges (RFC 6750 §3). */
  readonly realm: string;
  /** RFC 9728 §5.1: where clients find this resource's metadata. */
  readonly resourceMetadata: string | undefined;
}

/** An HTTP answer to a refused request, for an adapter to write as is. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** `{ "code", "message" }`, plus `scope` for insufficient_scope. Never the hint. */
  readonly body: { readonly code: string; readonly message: string; readonly scope?: string };
}

// RFC 9110 §5.6.4 quoted-string: escape backslash and double quote.
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&").replace(/[\r\n]/g, " ")}"`;
}

/** The RFC 6750 §3.1 error code a TokenError answers with in WWW-Authenticate. */
function bearerError(error: TokenError): "invalid_request" | "invalid_token" | "insufficient_scope" | undefined {
  if (error.code === "invalid_request") return "invalid_request";
  if (error.code === "insufficient_scope") return "insufficient_scope";
  // RFC 6750 §3.1: no error code when the request carried no credentials.
  if (error.status === 401 && error.code !== "token_missing") return "invalid_token";
  return undefined;
}

/**
 * The response for a refused request (RFC 6750 §3): 401 with a Bearer
 * challenge for a missing or bad token, 400 `invalid_request`, 403
 * `insufficient_scope` naming the scopes needed, 403 for other denials (no
 * challenge: a new token would not help), 503 with Retry-After when keys or
 * introspection are unreachable. The hint never leaves the server.
 */
export function errorResponse(error: TokenError, options: ChallengeOptions): ErrorResponse {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  const scope = error.code === "insufficient_scope" && error.requiredScopes !== undefined ? error.requiredScopes.join(" ") : undefined;
  if (error.status === 401 || error.status === 400 || error.code === "insufficient_scope") {
    const params = [`realm=${quoted(options.realm)}`];
    const code = bearerError(error);
    if (code !== undefined) params.push(`error=${quoted(code)}`, `error_description=${quoted(error.message)}`);
    if (scope !== undefined) params.push(`scope=${quoted(scope)}`);
    if (options.resourceMetadata !== undefined) params.push(`resource_metadata=${quoted(options.resourceMetadata)}`);
    headers["www-authenticate"] = `Bearer ${params.join(", ")}`;
  }
  // RFC 9110 §10.2.3: delay-seconds is whole seconds; a custom error's 2.5 or -1 would make the header invalid.
  if (error.status === 503) headers["retry-after"] = String(Number.isFinite(error.retryAfter) ? Math.max(0, Math.ceil(error.retryAfter as number)) : 5);
  return { status: error.status, headers, body: scope === undefined ? error.toJSON() : { ...error.toJSON(), scope } };
}
