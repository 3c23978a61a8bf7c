import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
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
import { allOf, anyOf, type Guard, requireClaim, requireRoles, requireScopes } from "../../src/authz/guards.js";
import type { AuthOptions } from "../../src/http/options.js";
import type { VerifiedToken } from "../../src/verifier/types.js";
import type { RunningApi } from "./harnesses.js";

/**
 * The edge routes, the same in every framework (what the shared conformance
 * harness does not have):
 *   GET  /api/protected     authenticate(options)
 *   POST /api/form          a form (or JSON) body parser, then authenticate(options); answers { sub, note } with the body's `note`
 *   GET  /guard-only        a route guard WITHOUT authenticate before it (not for web: it has no stand-alone guard)
 *   GET  /api/all-of        guard(allOf(requireScopes("read:data"), requireRoles("admin")))
 *   GET  /api/any-of        guard(anyOf(requireRoles("admin"), requireScopes("write:data")))
 *   GET  /api/several       guard(requireScopes("read:data"), requireRoles("admin")): several guards in one call
 *   GET  /api/scoped        requireScopes("write:data")
 *   GET  /api/tenant        requireClaim("https://yourapp.com/tenant_id", "acme")
 *   GET  /api/buggy-guard   a guard that throws a TypeError (a bug, not a refusal)
 * Protected handlers answer { sub }. Errors that reach the framework's error
 * handling are answered 500 { error: message }.
 */
export interface EdgeHarness {
  readonly name: string;
  /** Whether the adapter has route guards usable without authenticate (web does not). */
  readonly standaloneGuards: boolean;
  start(options: AuthOptions): Promise<RunningApi>;
}

export const TENANT_CLAIM = "https://yourapp.com/tenant_id";

const ROUTE_GUARDS: Record<string, Guard[]> = {
  "/api/all-of": [allOf(requireScopes("read:data"), requireRoles("admin"))],
  "/api/any-of": [anyOf(requireRoles("admin"), requireScopes("write:data"))],
  "/api/several": [requireScopes("read:data"), requireRoles("admin")],
  "/api/scoped": [requireScopes("write:data")],
  "/api/tenant": [requireClaim(TENANT_CLAIM, "acme")],
  "/api/buggy-guard": [
    () => {
      throw new TypeError("a bug in a guard");
    },
  ],
};

const sub = (auth: VerifiedToken | undefined) => ({ sub: auth?.subject ?? null });
const note = (body: unknown) => (typeof body === "object" && body !== null ? ((body as Record<string, unknown>).note ?? null) : null);

/** A form body as frameworks parse it: repeated fields become arrays. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

export async function listen(server: Server): Promise<RunningApi> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
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

function expressHarness(name: string, create: () => express.Express): EdgeHarness {
  return {
    name,
    standaloneGuards: true,
    start: async (options) => {
      const { authenticate, guard } = tokenwardExpress;
      const app = create();
      const auth = authenticate(options);
      app.get("/api/protected", auth, (req, res) => {
        res.json(sub(req.auth));
      });
      app.post("/api/form", express.urlencoded({ extended: false }), express.json(), auth, (req, res) => {
        res.json({ ...sub(req.auth), note: note(req.body) });
      });
      app.get("/guard-only", guard(requireScopes("read:data")), (req, res) => {
        res.json(sub(req.auth));
      });
      for (const [path, guards] of Object.entries(ROUTE_GUARDS)) {
        app.get(path, auth, guard(...guards), (req, res) => {
          res.json(sub(req.auth));
        });
      }
      app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ error: error.message });
      });
      return listen(createServer(app));
    },
  };
}

const fastifyHarness: EdgeHarness = {
  name: "fastify",
  standaloneGuards: true,
  start: async (options) => {
    const { tokenward, guard } = tokenwardFastify;
    const app = Fastify();
    // @fastify/formbody is not installed: a form parser from URLSearchParams.
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
      done(null, parseForm(body as string));
    });
    app.setErrorHandler((error: Error, _request, reply) => {
      void reply.code(500).send({ error: error.message });
    });
    app.get("/guard-only", { preHandler: guard(requireScopes("read:data")) }, async (request) => sub(request.auth));
    await app.register(async (api) => {
      await api.register(tokenward, options);
      api.get("/api/protected", async (request) => sub(request.auth));
      api.post("/api/form", async (request) => ({ ...sub(request.auth), note: note(request.body) }));
      for (const [path, guards] of Object.entries(ROUTE_GUARDS)) {
        api.get(path, { preHandler: guard(...guards) }, async (request) => sub(request.auth));
      }
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

export async function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<RunningApi> {
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  await once(server, "listening");
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

async function readBody(request: { header(name: string): string | undefined; parseBody(): Promise<unknown>; json(): Promise<unknown> }): Promise<unknown> {
  const type = request.header("content-type") ?? "";
  if (type.startsWith("application/json")) return request.json();
  if (type.startsWith("application/x-www-form-urlencoded")) return request.parseBody();
  return undefined;
}

const honoHarness: EdgeHarness = {
  name: "hono",
  standaloneGuards: true,
  start: async (options) => {
    const { authenticate, guard } = tokenwardHono;
    const app = new Hono<tokenwardHono.AuthEnv>();
    const auth = authenticate(options);
    app.onError((error, c) => c.json({ error: error.message }, 500));
    app.get("/api/protected", auth, (c) => c.json(sub(c.get("auth"))));
    // Hono parses form bodies itself; the handler can still read the body after authentication.
    app.post("/api/form", auth, async (c) => c.json({ ...sub(c.get("auth")), note: note(await readBody(c.req)) }));
    app.get("/guard-only", guard(requireScopes("read:data")), (c) => c.json(sub(c.get("auth"))));
    for (const [path, guards] of Object.entries(ROUTE_GUARDS)) app.get(path, auth, guard(...guards), (c) => c.json(sub(c.get("auth"))));
    return serveFetch(app.fetch);
  },
};

type KoaMiddleware = Koa.Middleware<tokenwardKoa.AuthState>;

/** A tiny body parser (form and JSON) for Koa, which has none built in. */
const koaBody: KoaMiddleware = async (ctx, next) => {
  const type = ctx.get("content-type");
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("application/json")) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    (ctx.request as { body?: unknown }).body = type.startsWith("application/json") ? JSON.parse(text) : parseForm(text);
  }
  await next();
};

const koaHarness: EdgeHarness = {
  name: "koa",
  standaloneGuards: true,
  start: async (options) => {
    const { authenticate, guard } = tokenwardKoa;
    const app = new Koa<tokenwardKoa.AuthState>();
    app.silent = true;
    const auth = authenticate(options);
    const reply: KoaMiddleware = async (ctx) => {
      ctx.body = { ...sub(ctx.state.auth), ...(ctx.method === "POST" ? { note: note((ctx.request as { body?: unknown }).body) } : {}) };
    };
    const routes: Record<string, KoaMiddleware[]> = {
      "GET /api/protected": [auth, reply],
      "POST /api/form": [koaBody, auth, reply],
      "GET /guard-only": [guard(requireScopes("read:data")), reply],
    };
    for (const [path, guards] of Object.entries(ROUTE_GUARDS)) routes[`GET ${path}`] = [auth, guard(...guards), reply];
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 500;
        ctx.body = { error: (error as Error).message };
      }
    });
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

const webHarness: EdgeHarness = {
  name: "web",
  standaloneGuards: false,
  start: async (options) => {
    const { protect } = tokenwardWeb;
    const json = (value: unknown) => Response.json(value);
    const handlers: Record<string, (request: Request) => Promise<Response>> = {
      "GET /api/protected": protect(async (_request, { auth }) => json(sub(auth)), options),
      "POST /api/form": protect(async (request, { auth }) => {
        const type = request.headers.get("content-type") ?? "";
        const body = type.startsWith("application/json")
          ? await request.json()
          : type.startsWith("application/x-www-form-urlencoded")
            ? parseForm(await request.text())
            : undefined;
        return json({ ...sub(auth), note: note(body) });
      }, options),
    };
    for (const [path, guards] of Object.entries(ROUTE_GUARDS)) {
      handlers[`GET ${path}`] = protect(async (_request, { auth }) => json(sub(auth)), { ...options, guards: [...(options.guards ?? []), ...guards] });
    }
    return serveFetch(async (request) => {
      const handler = handlers[`${request.method} ${new URL(request.url).pathname}`];
      if (handler === undefined) return new Response("not found", { status: 404 });
      try {
        return await handler(request);
      } catch (error) {
        return Response.json({ error: (error as Error).message }, { status: 500 });
      }
    });
  },
};

export const EDGE_HARNESSES: readonly EdgeHarness[] = [
  expressHarness("express 5", () => express()),
  expressHarness("express 4", () => express4() as unknown as express.Express),
  fastifyHarness,
  honoHarness,
  koaHarness,
  webHarness,
];

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly challenge: string | undefined;
  readonly body: unknown;
}

/** A raw HTTP request on loopback, so that repeated headers really are repeated on the wire. */
export function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
  timeoutMs = 5000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers: { connection: "close", ...headers }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, challenge: response.headers["www-authenticate"], body: parsed });
      });
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms: the request hangs`)));
    request.on("error", reject);
    request.end(body);
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const form = (fields: Record<string, string | string[]>): { headers: Record<string, string>; body: string } => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: params.toString() };
};
