import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import express4 from "express4";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import * as tokenwardExpress from "../../src/adapters/express.js";
import * as tokenwardFastify from "../../src/adapters/fastify.js";
import * as tokenwardHono from "../../src/adapters/hono.js";
import * as tokenwardKoa from "../../src/adapters/koa.js";
import * as tokenwardWeb from "../../src/adapters/web.js";
import type { AuthOptions } from "../../src/http/options.js";
import type { ResourceMetadata } from "../../src/http/resource-metadata.js";

/**
 * The same small API in every framework, for the shared conformance suite:
 *   GET  /public                                  no authentication
 *   GET  /api/protected                           any valid token
 *   GET  /api/admin                               role "admin"
 *   POST /api/data                                scope "write:data"
 *   GET  /optional                                token optional
 *   GET  /.well-known/oauth-protected-resource    RFC 9728 metadata
 * Protected handlers answer { sub } from the verified token.
 */
export interface Harness {
  readonly name: string;
  start(options: AuthOptions & { metadata: ResourceMetadata }): Promise<RunningApi>;
}

export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

/** A server that is (or will soon be) listening on 127.0.0.1, as a RunningApi. */
async function running(server: Server): Promise<RunningApi> {
  if (!server.listening) await once(server, "listening");
  server.keepAliveTimeout = 1;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server): Promise<RunningApi> {
  server.listen(0, "127.0.0.1");
  return running(server);
}

const sub = (auth: { subject: string | undefined } | undefined) => ({ sub: auth?.subject ?? null });

function expressHarness(name: string, create: () => express.Express): Harness {
  return {
    name,
    start: async ({ metadata, ...options }) => {
      const app = create();
      const { authenticate, requireRoles, requireScopes, protectedResource } = tokenwardExpress;
      app.get(metadata.path, protectedResource(metadata));
      app.get("/public", (_req, res) => {
        res.json({ public: true });
      });
      app.get("/optional", authenticate({ ...options, optional: true }), (req, res) => {
        res.json(sub(req.auth));
      });
      app.use("/api", authenticate(options));
      app.get("/api/protected", (req, res) => {
        res.json(sub(req.auth));
      });
      app.get("/api/admin", requireRoles("admin"), (req, res) => {
        res.json(sub(req.auth));
      });
      app.post("/api/data", requireScopes("write:data"), (req, res) => {
        res.json(sub(req.auth));
      });
      return listen(createServer(app));
    },
  };
}

const fastifyHarness: Harness = {
  name: "fastify",
  start: async ({ metadata, ...options }) => {
    const app = Fastify();
    const { tokenward, requireRoles, requireScopes, protectedResource } = tokenwardFastify;
    app.get(metadata.path, protectedResource(metadata));
    app.get("/public", async () => ({ public: true }));
    await app.register(async (scope) => {
      await scope.register(tokenward, { ...options, optional: true });
      scope.get("/optional", async (request) => sub(request.auth));
    });
    await app.register(async (api) => {
      await api.register(tokenward, options);
      api.get("/api/protected", async (request) => sub(request.auth));
      api.get("/api/admin", { preHandler: requireRoles("admin") }, async (request) => sub(request.auth));
      api.post("/api/data", { preHandler: requireScopes("write:data") }, async (request) => sub(request.auth));
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

const honoHarness: Harness = {
  name: "hono",
  start: async ({ metadata, ...options }) => {
    const app = new Hono<tokenwardHono.AuthEnv>();
    const { authenticate, requireRoles, requireScopes, protectedResource } = tokenwardHono;
    app.get(metadata.path, protectedResource(metadata));
    app.get("/public", (c) => c.json({ public: true }));
    app.get("/optional", authenticate({ ...options, optional: true }), (c) => c.json(sub(c.get("auth"))));
    app.use("/api/*", authenticate(options));
    app.get("/api/protected", (c) => c.json(sub(c.get("auth"))));
    app.get("/api/admin", requireRoles("admin"), (c) => c.json(sub(c.get("auth"))));
    app.post("/api/data", requireScopes("write:data"), (c) => c.json(sub(c.get("auth"))));
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    return running(server);
  },
};

type KoaContext = Koa.ParameterizedContext<tokenwardKoa.AuthState>;
const reply =
  (body: (ctx: KoaContext) => unknown): Koa.Middleware<tokenwardKoa.AuthState> =>
  async (ctx) => {
    ctx.body = body(ctx);
  };

const koaHarness: Harness = {
  name: "koa",
  start: async ({ metadata, ...options }) => {
    const app = new Koa<tokenwardKoa.AuthState>();
    const { authenticate, requireRoles, requireScopes, protectedResource } = tokenwardKoa;
    const auth = authenticate(options);
    const optional = authenticate({ ...options, optional: true });
    app.use(protectedResource(metadata));
    // A tiny router: method and path to a middleware chain.
    const routes: Record<string, Koa.Middleware<tokenwardKoa.AuthState>[]> = {
      "GET /public": [reply(() => ({ public: true }))],
      "GET /optional": [optional, reply((ctx) => sub(ctx.state.auth))],
      "GET /api/protected": [auth, reply((ctx) => sub(ctx.state.auth))],
      "GET /api/admin": [auth, requireRoles("admin"), reply((ctx) => sub(ctx.state.auth))],
      "POST /api/data": [auth, requireScopes("write:data"), reply((ctx) => sub(ctx.state.auth))],
    };
    app.use(async (ctx, next) => {
      const chain = routes[`${ctx.method} ${ctx.path}`];
      if (chain === undefined) return next();
      const run = async (index: number): Promise<void> => {
        const middleware = chain[index];
        if (middleware !== undefined) await middleware(ctx, () => run(index + 1));
      };
      await run(0);
    });
    return listen(createServer(app.callback()));
  },
};

const webHarness: Harness = {
  name: "web",
  start: async ({ metadata, ...options }) => {
    const { protect, requireRoles, requireScopes, protectedResourceResponse } = tokenwardWeb;
    const json = (value: unknown) => Response.json(value);
    const handlers: Record<string, (request: Request) => Promise<Response> | Response> = {
      [`GET ${metadata.path}`]: () => protectedResourceResponse(metadata),
      "GET /public": () => json({ public: true }),
      "GET /optional": protect((_request, { auth }) => json(sub(auth)), { ...options, optional: true }),
      "GET /api/protected": protect((_request, { auth }) => json(sub(auth)), options),
      "GET /api/admin": protect((_request, { auth }) => json(sub(auth)), { ...options, guards: [requireRoles("admin")] }),
      "POST /api/data": protect((_request, { auth }) => json(sub(auth)), { ...options, guards: [requireScopes("write:data")] }),
    };
    const server = serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (request: Request) => {
        const handler = handlers[`${request.method} ${new URL(request.url).pathname}`];
        return handler === undefined ? new Response("not found", { status: 404 }) : handler(request);
      },
    }) as Server;
    return running(server);
  },
};

export const HARNESSES: readonly Harness[] = [
  expressHarness("express 5", () => express()),
  expressHarness("express 4", () => express4() as unknown as express.Express),
  fastifyHarness,
  honoHarness,
  koaHarness,
  webHarness,
];
