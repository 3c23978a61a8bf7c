// The servers under test, one per process (see server.mjs). Every one answers
// GET /api/protected with a small JSON body: the frameworks alone answer a
// fixed { sub } (the ceilings), the authenticated ones answer { sub } from the
// verified token. Frameworks and verifiers are imported lazily, so a server
// process loads only what it runs. tokenward is imported by its package name,
// from the built package, as users import it.
import { once } from "node:events";
import http from "node:http";
import { AUDIENCE, ISSUER } from "../lib/tokens.mjs";

export const PATH = "/api/protected";
/** What the ceilings answer; authenticated servers answer the token's own `sub`. */
export const CEILING_BODY = JSON.stringify({ sub: "ceiling-no-authentication-0000000000000000" });
const CEILING = JSON.parse(CEILING_BODY);

/** `Authorization: Bearer <token>`, minimally: what the hand-written servers accept. */
function bearer(header) {
  return typeof header === "string" && header.length > 7 && (header.startsWith("Bearer ") || /^bearer /i.test(header)) ? header.slice(7) : undefined;
}

async function listen(server) {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

function unauthorized(res) {
  res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="api", error="invalid_token"' });
  res.end('{"code":"invalid_token"}');
}

function json(res, body) {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function tokenwardVerifier(cfg) {
  const { createVerifier } = await import("tokenward");
  return createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: cfg.jwksUri, algorithms: [cfg.alg] }] });
}

// ---- node:http ----------------------------------------------------------

async function node() {
  return listen(http.createServer((_req, res) => json(res, CEILING)));
}

/** The ceiling of the distinct-token shape: one-shot crypto.verify + base64url decode + JSON.parse (bench/lib/subjects.mjs). */
async function nodeCrypto(cfg) {
  const { createPublicKey } = await import("node:crypto");
  const { raw } = await import("../lib/subjects.mjs");
  // The same JWKS as everyone else, fetched once at start.
  const jwks = await (await fetch(cfg.jwksUri)).json();
  const jwk = jwks.keys.find((key) => key.alg === cfg.alg);
  const verify = raw({ alg: cfg.alg, publicKey: createPublicKey({ key: jwk, format: "jwk" }) });
  return listen(
    http.createServer((req, res) => {
      const token = bearer(req.headers.authorization);
      let claims;
      try {
        if (token === undefined) throw new Error("no token");
        claims = verify(token);
      } catch {
        return unauthorized(res);
      }
      json(res, { sub: claims.sub });
    }),
  );
}

async function nodeTokenward(cfg) {
  const verifier = await tokenwardVerifier(cfg);
  return listen(
    http.createServer((req, res) => {
      const token = bearer(req.headers.authorization);
      if (token === undefined) return unauthorized(res);
      verifier.verify(token).then(
        (auth) => json(res, { sub: auth.claims.sub }),
        () => unauthorized(res),
      );
    }),
  );
}

// ---- Express 5 --------------------------------------------------------------

async function expressApp(middleware, sub) {
  const { default: express } = await import("express");
  const app = express();
  if (middleware === undefined) app.get(PATH, (_req, res) => res.json(CEILING));
  else app.get(PATH, middleware, (req, res) => res.json({ sub: sub(req) }));
  // Errors passed to next() (express-oauth2-jwt-bearer's refusals) answered
  // as an API would, instead of Express's default handler logging each one.
  app.use((error, _req, res, _next) => {
    res
      .status(error.status ?? 500)
      .set(error.headers ?? {})
      .json({ code: error.code ?? "error" });
  });
  return listen(http.createServer(app));
}

const expressAlone = () => expressApp();
// The floor of any authentication middleware: one that does nothing.
const expressEmpty = () =>
  expressApp(
    (req, _res, next) => {
      req.auth = { claims: { sub: CEILING.sub } };
      next();
    },
    (req) => req.auth.claims.sub,
  );

async function expressTokenward(cfg) {
  const { authenticate } = await import("tokenward/express");
  return expressApp(authenticate({ verifier: await tokenwardVerifier(cfg) }), (req) => req.auth.claims.sub);
}

/**
 * Auth0's express-oauth2-jwt-bearer. With `issuer` and `jwksUri` given it does
 * no discovery (discovery happens only with `issuerBaseURL`), and it fetches
 * the JWKS with jose's createRemoteJWKSet, which takes http: URLs as well as
 * https:, so a loopback http JWKS URL is a supported configuration.
 * `tokenSigningAlg` pins the algorithm, as the other subjects do.
 */
async function expressAuth0(cfg) {
  const { auth } = await import("express-oauth2-jwt-bearer");
  return expressApp(auth({ issuer: ISSUER, audience: AUDIENCE, jwksUri: cfg.jwksUri, tokenSigningAlg: cfg.alg }), (req) => req.auth.payload.sub);
}

// ---- Fastify 5 ----------------------------------------------------------

async function fastifyApp(setup) {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: false });
  await setup(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app.server;
}

const fastifyAlone = () => fastifyApp((app) => app.get(PATH, async () => CEILING));
// The floor of any authentication plugin: an onRequest hook that does nothing.
const fastifyEmpty = () =>
  fastifyApp((app) => {
    app.decorateRequest("auth", undefined);
    app.addHook("onRequest", (request, _reply, done) => {
      request.auth = { claims: { sub: CEILING.sub } };
      done();
    });
    app.get(PATH, async (request) => ({ sub: request.auth.claims.sub }));
  });

// The floor of any cache of verified tokens: a Map from the whole token to
// its claims, filled on first sight with no verification at all. What it
// costs over the empty hook is what looking up 1,000 kilobyte-long tokens
// costs, whoever does it.
const fastifyMap = () =>
  fastifyApp((app) => {
    const seen = new Map();
    app.decorateRequest("auth", undefined);
    app.addHook("onRequest", (request, _reply, done) => {
      const token = bearer(request.headers.authorization);
      let auth = seen.get(token);
      if (auth === undefined) {
        auth = { claims: JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) };
        seen.set(token, auth);
      }
      request.auth = auth;
      done();
    });
    app.get(PATH, async (request) => ({ sub: request.auth.claims.sub }));
  });

async function fastifyTokenward(cfg) {
  const { tokenward } = await import("tokenward/fastify");
  const verifier = await tokenwardVerifier(cfg);
  return fastifyApp(async (app) => {
    await app.register(tokenward, { verifier });
    app.get(PATH, async (request) => ({ sub: request.auth.claims.sub }));
  });
}

/** jose in a preHandler, as the Fastify docs and many APIs do it: remote JWKS, jwtVerify per request. */
async function fastifyJose(cfg) {
  const { createRemoteJWKSet, jwtVerify } = await import("jose");
  const jwks = createRemoteJWKSet(new URL(cfg.jwksUri));
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [cfg.alg] };
  return fastifyApp((app) => {
    app.decorateRequest("jwtPayload", null);
    const preHandler = async (request, reply) => {
      const token = bearer(request.headers.authorization);
      try {
        if (token === undefined) throw new Error("no token");
        request.jwtPayload = (await jwtVerify(token, jwks, options)).payload;
      } catch {
        return reply.code(401).header("www-authenticate", 'Bearer realm="api", error="invalid_token"').send({ code: "invalid_token" });
      }
    };
    app.get(PATH, { preHandler }, async (request) => ({ sub: request.jwtPayload.sub }));
  });
}

// ---- Hono 4 on @hono/node-server, and fetch handlers -----------------------

async function serveFetch(fetchHandler) {
  const { createAdaptorServer } = await import("@hono/node-server");
  return listen(createAdaptorServer({ fetch: fetchHandler, hostname: "127.0.0.1" }));
}

// `new Response(text, init)`, not the static Response.json: @hono/node-server
// swaps in a lightweight Response class, and only its constructor takes the
// fast path (Response.json builds a full undici Response).
const jsonResponse = (body) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

async function honoApp(middleware) {
  const { Hono } = await import("hono");
  const app = new Hono();
  if (middleware === undefined) app.get(PATH, (c) => c.json(CEILING));
  else app.get(PATH, middleware, (c) => c.json({ sub: c.get("auth").claims.sub }));
  return serveFetch(app.fetch);
}

const honoAlone = () => honoApp();
// The floor of any authentication middleware: one that does nothing.
const honoEmpty = () =>
  honoApp(async (c, next) => {
    c.set("auth", { claims: { sub: CEILING.sub } });
    await next();
  });

async function honoTokenward(cfg) {
  const { authenticate } = await import("tokenward/hono");
  return honoApp(authenticate({ verifier: await tokenwardVerifier(cfg) }));
}

/** A bare fetch-style handler (Next.js route handler, Bun, Deno) behind @hono/node-server's node:http bridge. */
const fetchAlone = () => serveFetch(() => jsonResponse(CEILING));
// The floor of any wrapper: an async one that does nothing.
const fetchEmpty = () => {
  const wrap = (handler) => async (request) => handler(request, { auth: { claims: { sub: CEILING.sub } } });
  return serveFetch(wrap((_request, { auth }) => jsonResponse({ sub: auth.claims.sub })));
};

async function webTokenward(cfg) {
  const { protect } = await import("tokenward/web");
  return serveFetch(protect((_request, { auth }) => jsonResponse({ sub: auth.claims.sub }), { verifier: await tokenwardVerifier(cfg) }));
}

// ---- Koa 3 --------------------------------------------------------------

async function koaApp(middleware, sub) {
  const { default: Koa } = await import("koa");
  const app = new Koa();
  if (middleware !== undefined) app.use(middleware);
  app.use((ctx) => {
    if (ctx.path !== PATH) return;
    ctx.body = sub === undefined ? CEILING : { sub: sub(ctx) };
  });
  return listen(http.createServer(app.callback()));
}

const koaAlone = () => koaApp();
// The floor of any authentication middleware: one that does nothing.
const koaEmpty = () =>
  koaApp(
    async (ctx, next) => {
      ctx.state.auth = { claims: { sub: CEILING.sub } };
      await next();
    },
    (ctx) => ctx.state.auth.claims.sub,
  );

async function koaTokenward(cfg) {
  const { authenticate } = await import("tokenward/koa");
  return koaApp(authenticate({ verifier: await tokenwardVerifier(cfg) }), (ctx) => ctx.state.auth.claims.sub);
}

/** Subject id -> function(cfg) starting its server on 127.0.0.1 and resolving to the node:http Server. */
export const servers = {
  node,
  "node-crypto": nodeCrypto,
  "node-tokenward": nodeTokenward,
  express: expressAlone,
  "express-empty": expressEmpty,
  "express-tokenward": expressTokenward,
  "express-auth0": expressAuth0,
  fastify: fastifyAlone,
  "fastify-empty": fastifyEmpty,
  "fastify-map": fastifyMap,
  "fastify-tokenward": fastifyTokenward,
  "fastify-jose": fastifyJose,
  hono: honoAlone,
  "hono-empty": honoEmpty,
  "hono-tokenward": honoTokenward,
  koa: koaAlone,
  "koa-empty": koaEmpty,
  "koa-tokenward": koaTokenward,
  fetch: fetchAlone,
  "fetch-empty": fetchEmpty,
  "web-tokenward": webTokenward,
};
