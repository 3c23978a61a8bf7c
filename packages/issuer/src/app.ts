// The issuer's HTTP surface: routes only. Every endpoint is a function of
// (context, request) in endpoints/; this file mounts them under the issuer's
// path and turns failures into RFC 6749 §5.2 answers.

import { Hono } from "hono";
import type { IssuerContext } from "./context.js";
import { authorizeEndpoint } from "./endpoints/authorize.js";
import { introspectionEndpoint } from "./endpoints/introspection.js";
import { jwksEndpoint } from "./endpoints/jwks.js";
import { metadataPaths } from "./endpoints/metadata.js";
import { revocationEndpoint } from "./endpoints/revocation.js";
import { tokenEndpoint } from "./endpoints/token.js";
import { OAuthError } from "./errors/oauth-error.js";
import { errorResponse, jsonResponse, secureResponse, toOAuthError, withNosniff } from "./http/respond.js";
import type { MetricsRegistry } from "./metrics/registry.js";
import { StoreUnavailableError } from "./store/types.js";

type Endpoint = (ctx: IssuerContext, request: Request) => Promise<Response> | Response;

export interface AppParts {
  ctx: IssuerContext;
  metadata: Record<string, unknown>;
  metrics: MetricsRegistry | undefined;
}

export function createApp({ ctx, metadata, metrics }: AppParts): Hono {
  const app = new Hono();
  const path = ctx.config.issuerPath;
  const metadataBody = JSON.stringify(metadata);

  const serve = (name: string, endpoint: Endpoint) => async (request: Request) => {
    const started = metrics === undefined ? 0 : performance.now();
    let response: Response;
    try {
      response = await endpoint(ctx, request);
    } catch (caught) {
      const error = caught instanceof StoreUnavailableError ? storeDown(caught) : toOAuthError(caught);
      ctx.emit({ type: error.status >= 500 ? "server_error" : "request_refused", error: error.error, detail: error.detail ?? error.message });
      metrics?.counter("tokenward_issuer_errors_total", "Requests answered with an OAuth error", { endpoint: name, error: error.error });
      response = errorResponse(error);
    }
    metrics?.observe("tokenward_issuer_request_duration_seconds", "Time to answer, by endpoint", { endpoint: name }, (performance.now() - started) / 1000);
    return withNosniff(response);
  };

  const routes: Array<[string, "GET" | "POST", string, Endpoint]> = [
    ...metadataPaths(ctx.config).map((route): [string, "GET", string, Endpoint] => [route, "GET", "metadata", () => metadataResponse(metadataBody)]),
    [new URL(ctx.config.endpoints.jwks).pathname, "GET", "jwks", jwksEndpoint],
    [new URL(ctx.config.endpoints.token).pathname, "POST", "token", tokenEndpoint],
    [new URL(ctx.config.endpoints.introspection).pathname, "POST", "introspection", introspectionEndpoint],
    [new URL(ctx.config.endpoints.revocation).pathname, "POST", "revocation", revocationEndpoint],
  ];
  if (metrics !== undefined) {
    routes.push([`${path}/metrics`, "GET", "metrics", () => secureResponse(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" })]);
  }

  for (const [route, method, name, endpoint] of routes) {
    const handler = serve(name, endpoint);
    const allow = { allow: method === "GET" ? "GET, HEAD" : method };
    // One handler per path, choosing by method itself: Hono calls a lone
    // matching handler directly, where two (the endpoint and a 405) would go
    // through its middleware composition on every request. A HEAD of a GET
    // route reaches here as HEAD (Hono routes it as GET and drops the body);
    // any other method is 405 with Allow (RFC 9110 §15.5.6).
    app.all(route, (c) => {
      const used = c.req.method;
      if (used === method || (used === "HEAD" && method === "GET")) return handler(c.req.raw);
      return jsonResponse({ error: "invalid_request", error_description: `use ${method} here` }, 405, allow);
    });
  }
  if (ctx.config.identityProvider !== undefined) {
    // The identity provider role's authorization endpoint answers GET, HEAD and POST itself, in HTML (endpoints/authorize.ts).
    const authorize = serve("authorize", authorizeEndpoint);
    app.all(new URL(ctx.config.identityProvider.authorizationEndpoint).pathname, (c) => authorize(c.req.raw));
  }
  app.notFound(() => jsonResponse({ error: "not_found", error_description: "no such endpoint" }, 404));
  app.onError((error) => {
    // Reached only when Hono itself fails (routing a malformed URL); endpoints catch their own.
    ctx.emit({ type: "server_error", detail: error instanceof Error ? error.message : String(error) });
    return errorResponse(toOAuthError(error));
  });
  return app;
}

function metadataResponse(body: string): Response {
  return secureResponse(body, 200, { "content-type": "application/json", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" });
}

function storeDown(error: StoreUnavailableError): OAuthError {
  return new OAuthError("temporarily_unavailable", "the server is temporarily unable to handle the request", {
    headers: { "retry-after": "5" },
    detail: error.message,
  });
}
