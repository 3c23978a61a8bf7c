// tokenward/web: fetch-style handlers (Next.js route handlers, Bun, Deno, Cloudflare Workers).
import {
  requireClaim as claimGuard,
  type Guard,
  requirePermissions as permissionsGuard,
  requireRoles as rolesGuard,
  requireScopes as scopesGuard,
} from "../authz/guards.js";
import type { TokenError } from "../errors/token-error.js";
import { type AuthOutcome, authenticateRequest } from "../http/authenticate.js";
import type { ErrorResponse } from "../http/challenge.js";
import { type AuthOptions, type ResolvedAuthOptions, resolveAuthOptions } from "../http/options.js";
import { bodyTokens, fetchAuthorization, NO_TOKENS, queryTokens } from "../http/query.js";
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

function settle(outcome: AuthOutcome): WebAuthResult {
  return outcome.ok ? outcome : { ok: false, error: outcome.error, response: toResponse(outcome.response) };
}

function authenticateWith(request: Request, env: unknown, options: ResolvedAuthOptions, body: readonly string[]): WebAuthResult | Promise<WebAuthResult> {
  const url = request.url;
  const pending = authenticateRequest(
    {
      authorization: fetchAuthorization(request, env),
      queryTokens: queryTokens(url),
      bodyTokens: body,
      method: request.method,
      // Only decision events read the path: the URL is parsed only for them.
      path: options.onDecision === undefined ? undefined : new URL(url).pathname,
    },
    options,
  );
  return pending instanceof Promise ? pending.then(settle) : settle(pending);
}

/**
 * The result at once when nothing needs waiting for (a cached token, no form
 * body to read): a request through protect() then costs no promise of ours.
 * Throws only what an async function would have rejected with.
 */
function runNow(request: Request, env: unknown, options: ResolvedAuthOptions): WebAuthResult | Promise<WebAuthResult> {
  if (options.allowBodyToken) return formTokens(request).then((tokens) => authenticateWith(request, env, options, tokens));
  return authenticateWith(request, env, options, NO_TOKENS);
}

function run(request: Request, env: unknown, options: ResolvedAuthOptions): Promise<WebAuthResult> {
  try {
    return Promise.resolve(runNow(request, env, options));
  } catch (error) {
    return Promise.reject(error);
  }
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
  const resolved = resolveAuthOptions(options);
  const respond = (result: WebAuthResult, request: Request, rest: A): Promise<Response> => {
    if (!result.ok) return Promise.resolve(result.response);
    try {
      // Promise.resolve hands a native promise back as it is: no extra wrapping.
      return Promise.resolve(handler(request, { auth: result.auth }, ...rest));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (request, ...rest) => {
    let result: WebAuthResult | Promise<WebAuthResult>;
    try {
      result = runNow(request, rest[0], resolved);
    } catch (error) {
      return Promise.reject(error);
    }
    return result instanceof Promise ? result.then((settled) => respond(settled, request, rest)) : respond(result, request, rest);
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
