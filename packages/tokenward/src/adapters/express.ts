// tokenward/express: Express 4 and 5. No runtime import of express: types only.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Guard } from "../authz/guards.js";
import { type AuthOutcome, authenticateRequest, authorizeRequest, type RequestFacts } from "../http/authenticate.js";
import type { ErrorResponse } from "../http/challenge.js";
import { type AuthOptions, DEFAULT_RESPONSE_OPTIONS, RESPONSE_OPTIONS, type ResponseOptions, resolveAuthOptions } from "../http/options.js";
import { authorizationHeaders, formBodyTokens, NO_TOKENS, pathOf, queryTokens } from "../http/query.js";
import type { ResourceMetadata } from "../http/resource-metadata.js";
import { type RouteGuards, routeGuards } from "../http/route-guards.js";
import type { VerifiedToken } from "../verifier/types.js";

declare global {
  namespace Express {
    interface Request {
      /** The verified token, set by tokenward's authenticate(); undefined on an optional route without one. */
      auth?: VerifiedToken;
    }
  }
}

type Tagged = Request & { [RESPONSE_OPTIONS]?: ResponseOptions };

function facts(req: Request, allowBodyToken: boolean, observed: boolean): RequestFacts {
  return {
    authorization: authorizationHeaders(req),
    queryTokens: queryTokens(req.originalUrl ?? req.url),
    // Only where body tokens are on: otherwise a form's access_token field is the application's data.
    bodyTokens: allowBodyToken ? formBodyTokens(req.headers["content-type"], req.body) : NO_TOKENS,
    method: req.method,
    path: observed ? pathOf(req.originalUrl ?? req.url) : undefined,
  };
}

function send(res: Response, response: ErrorResponse): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(response.body));
}

function settle(outcome: AuthOutcome, req: Request, res: Response, next: NextFunction): void {
  if (outcome.ok) {
    req.auth = outcome.auth;
    next();
  } else {
    send(res, outcome.response);
  }
}

/**
 * Authenticates every request it sees: a valid bearer token puts the
 * verified token on `req.auth`; anything else is answered per RFC 6750 §3
 * and goes no further. Without a verifier, one is built from the environment.
 */
export function authenticate(options: AuthOptions = {}): RequestHandler {
  const resolved = resolveAuthOptions(options);
  return (req, res, next) => {
    (req as Tagged)[RESPONSE_OPTIONS] = resolved;
    const outcome = authenticateRequest(facts(req, resolved.allowBodyToken, resolved.onDecision !== undefined), resolved);
    if (outcome instanceof Promise) outcome.then((settled) => settle(settled, req, res, next), next);
    else settle(outcome, req, res, next);
  };
}

/** A route guard from core guards: `app.get("/x", guard(requireScopes("a"), requireRoles("b")), handler)`. */
export function guard(...guards: Guard[]): RequestHandler {
  return (req, res, next) => {
    const options = (req as Tagged)[RESPONSE_OPTIONS] ?? DEFAULT_RESPONSE_OPTIONS;
    settle(authorizeRequest(req.auth, guards, options, { method: req.method, path: pathOf(req.originalUrl ?? req.url) }), req, res, next);
  };
}

/** Route guards from the core guards: requireScopes, requireRoles, requirePermissions, requireClaim. */
export const { requireScopes, requireRoles, requirePermissions, requireClaim }: RouteGuards<RequestHandler> = routeGuards(guard);

/** Serves RFC 9728 protected resource metadata: `app.get(metadata.path, protectedResource(metadata))`. */
export function protectedResource(metadata: ResourceMetadata): RequestHandler {
  const body = JSON.stringify(metadata.document);
  return (_req, res) => {
    res.statusCode = 200;
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "public, max-age=3600");
    res.end(body);
  };
}

export type { AuthDecision, AuthOptions } from "../http/options.js";
export type { ResourceMetadata, ResourceMetadataOptions } from "../http/resource-metadata.js";
export { protectedResourceMetadata } from "../http/resource-metadata.js";
export type { VerifiedToken } from "../verifier/types.js";
