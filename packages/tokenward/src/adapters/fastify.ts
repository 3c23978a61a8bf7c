// tokenward/fastify: a Fastify 5 plugin. No runtime import of fastify: types only.
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import type { Guard } from "../authz/guards.js";
import { type AuthOutcome, authenticateRequest, authorizeRequest } from "../http/authenticate.js";
import { type AuthOptions, DEFAULT_RESPONSE_OPTIONS, RESPONSE_OPTIONS, type ResponseOptions, resolveAuthOptions } from "../http/options.js";
import { authorizationHeaders, formBodyTokens, NO_TOKENS, pathOf, queryTokens } from "../http/query.js";
import type { ResourceMetadata } from "../http/resource-metadata.js";
import { type RouteGuards, routeGuards } from "../http/route-guards.js";
import type { VerifiedToken } from "../verifier/types.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified token, set by the tokenward plugin; undefined on an optional route without one. */
    auth: VerifiedToken | undefined;
  }
}

type WithOptions = FastifyInstance & { [RESPONSE_OPTIONS]?: ResponseOptions };

function refuse(reply: FastifyReply, outcome: Extract<AuthOutcome, { ok: false }>): FastifyReply {
  return reply.code(outcome.response.status).headers(outcome.response.headers).send(outcome.response.body);
}

/**
 * The plugin. It protects the routes of the scope it is registered in and of
 * that scope's children, and nothing outside it (Fastify encapsulation): put
 * public routes in another scope. Every request of the scope is
 * authenticated in `onRequest`, the verified token lands on `request.auth`,
 * and refusals are answered per RFC 6750 §3.
 */
const plugin: FastifyPluginCallback<AuthOptions> = (fastify, options, done) => {
  let resolved: ReturnType<typeof resolveAuthOptions>;
  try {
    resolved = resolveAuthOptions(options);
    // A child scope may register the plugin again (optional at the root,
    // required under /admin): it inherits the request decorator then.
    if (!fastify.hasRequestDecorator("auth")) fastify.decorateRequest("auth", undefined);
    fastify.decorate(RESPONSE_OPTIONS, resolved);
  } catch (error) {
    // Through done(), so Fastify reports it: a throw here would leave the plugin never started.
    done(error as Error);
    return;
  }
  // Authenticate as early as possible (onRequest), unless form bodies may
  // carry the token (RFC 6750 §2.2): bodies are parsed only by preHandler.
  const settle = (outcome: AuthOutcome, request: FastifyRequest, reply: FastifyReply, hookDone: (error?: Error) => void): void => {
    if (outcome.ok) {
      request.auth = outcome.auth;
      hookDone();
    } else {
      refuse(reply, outcome);
    }
  };
  const hook = (request: FastifyRequest, reply: FastifyReply, hookDone: (error?: Error) => void): void => {
    const outcome = authenticateRequest(
      {
        authorization: authorizationHeaders(request.raw, request),
        queryTokens: queryTokens(request.url),
        bodyTokens: resolved.allowBodyToken ? formBodyTokens(request.headers["content-type"], request.body) : NO_TOKENS,
        method: request.method,
        path: resolved.onDecision === undefined ? undefined : pathOf(request.url),
      },
      resolved,
    );
    if (outcome instanceof Promise) outcome.then((settled) => settle(settled, request, reply, hookDone), hookDone);
    else settle(outcome, request, reply, hookDone);
  };
  if (resolved.allowBodyToken) fastify.addHook("preHandler", hook);
  else fastify.addHook("onRequest", hook);
  done();
};

// What fastify-plugin sets: the plugin's hooks and decorators apply to the
// scope that registers it (so that scope's routes are protected), and it
// declares the Fastify major it supports.
Object.assign(plugin, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "tokenward",
  [Symbol.for("plugin-meta")]: { name: "tokenward", fastify: "5.x" },
});

export const tokenward: FastifyPluginCallback<AuthOptions> = plugin;

/** A route guard (preHandler) from core guards: `{ preHandler: guard(requireScopes("a")) }`. */
export function guard(...guards: Guard[]): preHandlerHookHandler {
  return function (this: FastifyInstance, request, reply, done) {
    const options = (this as WithOptions)[RESPONSE_OPTIONS] ?? DEFAULT_RESPONSE_OPTIONS;
    const outcome = authorizeRequest(request.auth, guards, options, { method: request.method, path: pathOf(request.url) });
    if (outcome.ok) done();
    else refuse(reply, outcome);
  };
}

/** Route guards from the core guards: requireScopes, requireRoles, requirePermissions, requireClaim. */
export const { requireScopes, requireRoles, requirePermissions, requireClaim }: RouteGuards<preHandlerHookHandler> = routeGuards(guard);

/** Serves RFC 9728 protected resource metadata: `app.get(metadata.path, protectedResource(metadata))` (outside the protected scope). */
export function protectedResource(metadata: ResourceMetadata) {
  return (_request: FastifyRequest, reply: FastifyReply) => reply.header("cache-control", "public, max-age=3600").send(metadata.document);
}

export type { AuthDecision, AuthOptions } from "../http/options.js";
export type { ResourceMetadata, ResourceMetadataOptions } from "../http/resource-metadata.js";
export { protectedResourceMetadata } from "../http/resource-metadata.js";
export type { VerifiedToken } from "../verifier/types.js";
