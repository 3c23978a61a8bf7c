// The issuer's HTTP surface: routes only. Every endpoint is a function of
// (context, request) in endpoints/; this file mounts them under the issuer's
// path and turns failures into RFC 6749 §5.2 answers.

import { Hono } from "hono";
import type { IssuerContext } from "./context.js";
import { introspectionEndpoint } from "./endpoints/introspection.js";
import { jwksEndpoint } from "./endpoints/jwks.js";
import { metadataPaths } from "./endpoints/metadata.js";
import { revocationEndpoint } from "./endpoints/revocation.js";
import { tokenEndpoint } from "./endpoints/token.js";
import { OAuthError } from "./errors/oauth-error.js";
import { errorResponse, jsonResponse, toOAuthError } from "./http/respond.js";
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
    const started = performance.now();
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
    response.headers.set("x-content-type-options", "nosniff");
    return response;
  };

  const routes: Array<[string, "GET" | "POST", string, Endpoint]> = [
    ...metadataPaths(ctx.config).map((route): [string, "GET", string, Endpoint] => [route, "GET", "metadata", () => metadataResponse(metadataBody)]),
    [new URL(ctx.config.endpoints.jwks).pathname, "GET", "jwks", jwksEndpoint],
    [new URL(ctx.config.endpoints.token).pathname, "POST", "token", tokenEndpoint],
    [new URL(ctx.config.endpoints.introspection).pathname, "POST", "introspection", introspectionEndpoint],
    [new URL(ctx.config.endpoints.revocation).pathname, "POST", "revocation", revocationEndpoint],
  ];
  if (metrics !== undefined) {
    routes.push([`${path}/metrics`, "GET", "metrics", () => new Response(metrics.render(), { headers: { "content-type": "text/plain; version=0.0.4" } })]);
  }

  for (const [route, method, name, endpoint] of routes) {
    const handler = serve(name, endpoint);
    app.on(method, route, (c) => handler(c.req.raw));
    // A HEAD of a GET route is answered by Hono itself; any other method is 405 with Allow (RFC 9110 §15.5.6).
    app.all(route, () =>
      jsonResponse({ error: "invalid_request", error_description: `use ${method} here` }, 405, { allow: method === "GET" ? "GET, HEAD" : method }),
    );
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
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" },
  });
}

function storeDown(error: StoreUnavailableError): OAuthError {
  return new OAuthError("temporarily_unavailable", "the server is temporarily unable to handle the request", {
    headers: { "retry-after": "5" },
    detail: error.message,
  });
}
