// tokenward/web: fetch-style handlers (Next.js route handlers, Bun, Deno, Cloudflare Workers).
import {
  requireClaim as claimGuard,
  type Guard,
  requirePermissions as permissionsGuard,
  requireRoles as rolesGuard,
  requireScopes as scopesGuard,
} from "../authz/guards.js";
import type { TokenError } from "../errors/token-error.js";
import { authenticateRequest } from "../http/authenticate.js";
import type { ErrorResponse } from "../http/challenge.js";
import { type AuthOptions, type ResolvedAuthOptions, resolveAuthOptions } from "../http/options.js";
import { bodyTokens, fetchAuthorization, queryTokens } from "../http/query.js";
import type { ResourceMetadata } from "../http/resource-metadata.js";
import type { VerifiedToken } from "../verifier/types.js";

export type WebAuthResult =
  | { readonly ok: true; readonly auth: VerifiedToken | undefined }
  | { readonly ok: false; readonly error: TokenError; readonly response: Response };

/**
 * Authenticates a Request; resolve the options once with `createAuthenticator`
 * for the common case. `env` is the platform's second handler argument, if
 * any (on Node through @hono/node-server it carries the node:http request,
 * whose headers are then read directly).
 */
export type Authenticator = (request: Request, env?: unknown) => Promise<WebAuthResult>;

function toResponse(response: ErrorResponse): Response {
  return new Response(JSON.stringify(response.body), { status: response.status, headers: response.headers });
}

async function formTokens(request: Request): Promise<readonly string[]> {
  if (!(request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return [];
  // A clone, so the handler can still read the body.
  const form = new URLSearchParams(await request.clone().text());
  return bodyTokens({ access_token: form.getAll("access_token") });
}

async function run(request: Request, env: unknown, options: ResolvedAuthOptions): Promise<WebAuthResult> {
  const url = request.url;
  const pending = authenticateRequest(
    {
      authorization: fetchAuthorization(request, env),
      queryTokens: queryTokens(url),
      bodyTokens: options.allowBodyToken ? await formTokens(request) : [],
      method: request.method,
      // Only decision events read the path: the URL is parsed only for them.
      path: options.onDecision === undefined ? undefined : new URL(url).pathname,
    },
    options,
  );
  // No await for an answer already there: a cached token waits for nothing.
  const outcome = pending instanceof Promise ? await pending : pending;
  return outcome.ok ? outcome : { ok: false, error: outcome.error, response: toResponse(outcome.response) };
}

/**
 * Resolves the options once (and builds the verifier, from the environment
 * when none is given), then authenticates requests: keep the result for the
 * life of the handler, so the verifier's caches are shared by all requests.
 */
export function createAuthenticator(options: AuthOptions = {}): Authenticator {
  const resolved = resolveAuthOptions(options);
  return (request, env) => run(request, env, resolved);
}

let fromEnvironment: Authenticator | undefined;

/**
 * Authenticates one Request with a verifier built from the environment
 * (`fromEnv()`, once per process): `{ ok: true, auth }`, or `{ ok: false,
 * response }` with the RFC 6750 §3 answer to return as is.
 */
export async function authenticate(request: Request): Promise<WebAuthResult> {
  // A configuration error rejects (and is tried again on the next request,
  // so fixing the environment and restarting is not the only way out).
  fromEnvironment ??= createAuthenticator();
  return fromEnvironment(request);
}

export type ProtectedHandler<A extends unknown[] = []> = (
  request: Request,
  context: { readonly auth: VerifiedToken | undefined },
  ...rest: A
) => Response | Promise<Response>;

/** Wraps a handler: it runs only for authenticated requests (and those its guards allow). */
export function protect<A extends unknown[] = []>(
  handler: ProtectedHandler<A>,
  options: AuthOptions = {},
): (request: Request, ...rest: A) => Promise<Response> {
  const authenticator = createAuthenticator(options);
  return async (request, ...rest) => {
    const result = await authenticator(request, rest[0]);
    if (!result.ok) return result.response;
    return handler(request, { auth: result.auth }, ...rest);
  };
}

/** Guards for `protect(handler, { guards: [...] })`, re-exported from the core. */
export const requireScopes: typeof scopesGuard = scopesGuard;
export const requireRoles: typeof rolesGuard = rolesGuard;
export const requirePermissions: typeof permissionsGuard = permissionsGuard;
export const requireClaim: typeof claimGuard = claimGuard;
export type { Guard };

/** The RFC 9728 metadata document as a Response, for the route at `metadata.path`. */
export function protectedResourceResponse(metadata: ResourceMetadata): Response {
  return new Response(JSON.stringify(metadata.document), {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "public, max-age=3600" },
  });
}

export type { AuthDecision, AuthOptions } from "../http/options.js";
export type { ResourceMetadata, ResourceMetadataOptions } from "../http/resource-metadata.js";
export { protectedResourceMetadata } from "../http/resource-metadata.js";
export type { VerifiedToken } from "../verifier/types.js";
