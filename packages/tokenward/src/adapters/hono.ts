// tokenward/hono: Hono 4 middleware. No runtime import of hono: types only.
import type { Context, Env, MiddlewareHandler } from "hono";
import type { Guard } from "../authz/guards.js";
import { authenticateRequest, authorizeRequest } from "../http/authenticate.js";
import type { ErrorResponse } from "../http/challenge.js";
import { type AuthOptions, DEFAULT_RESPONSE_OPTIONS, RESPONSE_OPTIONS, type ResponseOptions, resolveAuthOptions } from "../http/options.js";
import { bodyTokens, fetchAuthorization, NO_TOKENS, queryTokens } from "../http/query.js";
import type { ResourceMetadata } from "../http/resource-metadata.js";
import { type RouteGuards, routeGuards } from "../http/route-guards.js";
import type { VerifiedToken } from "../verifier/types.js";

/**
 * The variables tokenward sets: `new Hono<AuthEnv>()`, then `c.get("auth")`.
 * With bindings of your own, `authenticate<YourEnv>()` keeps them typed.
 */
export type AuthEnv = { Variables: { auth: VerifiedToken | undefined } };

// The options of the authenticate() that ran, for the guards after it: a
// property of the Context, not a WeakMap entry per request.
type Tagged = Context & { [RESPONSE_OPTIONS]?: ResponseOptions };

function answer(c: Context, response: ErrorResponse): Response {
  return c.body(JSON.stringify(response.body), response.status as 400, response.headers);
}

async function formTokens(c: Context): Promise<readonly string[]> {
  if (!(c.req.header("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return [];
  // all: repeated fields stay a list, so two access_token fields are refused as two credentials.
  return bodyTokens(await c.req.parseBody({ all: true }));
}

/**
 * Authenticates every request it sees: a valid bearer token is set as
 * `c.get("auth")`; anything else is answered per RFC 6750 §3. Without a
 * verifier, one is built from the environment.
 */
export function authenticate<E extends Env = AuthEnv>(options: AuthOptions = {}): MiddlewareHandler<E & AuthEnv> {
  const resolved = resolveAuthOptions(options);
  return async (c, next) => {
    (c as Tagged)[RESPONSE_OPTIONS] = resolved;
    const pending = authenticateRequest(
      {
        authorization: fetchAuthorization(c.req.raw, c.env),
        queryTokens: queryTokens(c.req.url),
        bodyTokens: resolved.allowBodyToken ? await formTokens(c) : NO_TOKENS,
        method: c.req.method,
        path: resolved.onDecision === undefined ? undefined : c.req.path,
      },
      resolved,
    );
    // No await for an answer already there: a cached token waits for nothing.
    const outcome = pending instanceof Promise ? await pending : pending;
    if (!outcome.ok) return answer(c, outcome.response);
    c.set("auth", outcome.auth);
    await next();
  };
}

/** A route guard from core guards: `app.get("/x", guard(requireScopes("a")), handler)`. */
export function guard(...guards: Guard[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const outcome = authorizeRequest(c.get("auth"), guards, (c as Tagged)[RESPONSE_OPTIONS] ?? DEFAULT_RESPONSE_OPTIONS, {
      method: c.req.method,
      path: c.req.path,
    });
    if (!outcome.ok) return answer(c, outcome.response);
    await next();
  };
}

/** Route guards from the core guards: requireScopes, requireRoles, requirePermissions, requireClaim. */
export const { requireScopes, requireRoles, requirePermissions, requireClaim }: RouteGuards<MiddlewareHandler<AuthEnv>> = routeGuards(guard);

/** Serves RFC 9728 protected resource metadata: `app.get(metadata.path, protectedResource(metadata))`. */
export function protectedResource(metadata: ResourceMetadata): MiddlewareHandler {
  const body = JSON.stringify(metadata.document);
  return async (c) => c.body(body, 200, { "content-type": "application/json", "cache-control": "public, max-age=3600" });
}

export type { AuthDecision, AuthOptions } from "../http/options.js";
export type { ResourceMetadata, ResourceMetadataOptions } from "../http/resource-metadata.js";
export { protectedResourceMetadata } from "../http/resource-metadata.js";
export type { VerifiedToken } from "../verifier/types.js";
