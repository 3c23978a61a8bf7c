// tokenward/koa: Koa 2 and 3 middleware. No runtime import of koa: types only.
import type { Context, Middleware, Next } from "koa";
import type { Guard } from "../authz/guards.js";
import { authenticateRequest, authorizeRequest } from "../http/authenticate.js";
import type { ErrorResponse } from "../http/challenge.js";
import { type AuthOptions, DEFAULT_RESPONSE_OPTIONS, RESPONSE_OPTIONS, type ResponseOptions, resolveAuthOptions } from "../http/options.js";
import { authorizationHeaders, formBodyTokens, NO_TOKENS, queryTokens } from "../http/query.js";
import type { ResourceMetadata } from "../http/resource-metadata.js";
import { type RouteGuards, routeGuards } from "../http/route-guards.js";
import type { VerifiedToken } from "../verifier/types.js";

/** What tokenward puts in `ctx.state`: `new Koa<AuthState>()` or `Router<AuthState>`. */
export interface AuthState {
  auth?: VerifiedToken;
}

type Tagged = Context & { [RESPONSE_OPTIONS]?: ResponseOptions };

function answer(ctx: Context, response: ErrorResponse): void {
  ctx.status = response.status;
  ctx.set(response.headers as Record<string, string>);
  ctx.body = response.body;
}

/**
 * Authenticates every request it sees: a valid bearer token is put on
 * `ctx.state.auth`; anything else is answered per RFC 6750 §3 and goes no
 * further. Without a verifier, one is built from the environment.
 */
export function authenticate(options: AuthOptions = {}): Middleware<AuthState> {
  const resolved = resolveAuthOptions(options);
  return async (ctx: Context, next: Next) => {
    (ctx as Tagged)[RESPONSE_OPTIONS] = resolved;
    const pending = authenticateRequest(
      {
        authorization: authorizationHeaders(ctx.req, ctx.request),
        queryTokens: queryTokens(ctx.originalUrl),
        // Only where body tokens are on: otherwise a form's access_token field is the application's data.
        bodyTokens: resolved.allowBodyToken ? formBodyTokens(ctx.get("content-type"), (ctx.request as { body?: unknown }).body) : NO_TOKENS,
        method: ctx.method,
        path: resolved.onDecision === undefined ? undefined : ctx.path,
      },
      resolved,
    );
    // No await for an answer already there: a cached token waits for nothing.
    const outcome = pending instanceof Promise ? await pending : pending;
    if (!outcome.ok) return answer(ctx, outcome.response);
    ctx.state.auth = outcome.auth;
    await next();
  };
}

/** A route guard from core guards: `router.get("/x", guard(requireScopes("a")), handler)`. */
export function guard(...guards: Guard[]): Middleware<AuthState> {
  return async (ctx: Context, next: Next) => {
    const outcome = authorizeRequest(ctx.state.auth as VerifiedToken | undefined, guards, (ctx as Tagged)[RESPONSE_OPTIONS] ?? DEFAULT_RESPONSE_OPTIONS, {
      method: ctx.method,
      path: ctx.path,
    });
    if (!outcome.ok) return answer(ctx, outcome.response);
    await next();
  };
}

/** Route guards from the core guards: requireScopes, requireRoles, requirePermissions, requireClaim. */
export const { requireScopes, requireRoles, requirePermissions, requireClaim }: RouteGuards<Middleware<AuthState>> = routeGuards(guard);

/** Serves RFC 9728 protected resource metadata at `metadata.path`. */
export function protectedResource(metadata: ResourceMetadata): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== metadata.path) return next();
    ctx.set("cache-control", "public, max-age=3600");
    ctx.body = metadata.document;
  };
}

export type { AuthDecision, AuthOptions } from "../http/options.js";
export type { ResourceMetadata, ResourceMetadataOptions } from "../http/resource-metadata.js";
export { protectedResourceMetadata } from "../http/resource-metadata.js";
export type { VerifiedToken } from "../verifier/types.js";
