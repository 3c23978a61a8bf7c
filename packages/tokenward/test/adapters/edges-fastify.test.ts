import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireRoles, requireScopes, tokenward } from "../../src/adapters/fastify.js";
import { ConfigError } from "../../src/errors/config-error.js";
import type { AuthDecision } from "../../src/http/options.js";
import { createVerifier, type VerifiedToken, type Verifier } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { bearer, form, parseForm, send } from "./edges-harnesses.js";

// Fastify specifics: encapsulation (the plugin protects the scope that
// registers it and that scope's children, nothing else), typed request.auth,
// body tokens in preHandler, and registration in nested scopes.

const MISSING = { code: "token_missing", message: "No bearer token was presented." };

let key: TestKey;
let verifier: Verifier;
let reader: string;
let admin: string;

beforeAll(async () => {
  key = await generateKey("ES256", "edges-fastify");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  reader = await signToken(key, accessClaims({ scope: "read:data", roles: ["user"] }));
  admin = await signToken(key, accessClaims({ sub: "admin-1", scope: "read:data write:data", roles: ["admin"] }));
});

async function start(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** What a handler saw of request.auth. */
const seen = (auth: VerifiedToken | undefined) => ({ auth: auth === undefined ? "undefined" : auth.subject });

describe("fastify: encapsulation", () => {
  const app = Fastify();
  let url: string;
  const decisions: AuthDecision[] = [];

  beforeAll(async () => {
    app.get("/outside", async (request) => seen(request.auth));
    await app.register(async (protectedScope) => {
      await protectedScope.register(tokenward, { verifier, onDecision: (decision) => decisions.push(decision) });
      protectedScope.get("/inside", async (request) => seen(request.auth));
      await protectedScope.register(async (child) => {
        child.get("/inside/child", async (request) => seen(request.auth));
      });
    });
    await app.register(async (sibling) => {
      sibling.get("/sibling", async (request) => seen(request.auth));
    });
    url = await start(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it("a route registered outside the plugin's scope is not protected, and request.auth is undefined there", async () => {
    expect(await send(url, "GET", "/outside")).toMatchObject({ status: 200, body: { auth: "undefined" } });
    // Even with a valid token: nothing authenticated it, so nothing is claimed.
    expect(await send(url, "GET", "/outside", bearer(reader))).toMatchObject({ status: 200, body: { auth: "undefined" } });
  });

  it("a sibling scope is not protected either", async () => {
    expect(await send(url, "GET", "/sibling")).toMatchObject({ status: 200, body: { auth: "undefined" } });
  });

  it("routes of the registering scope and of its child scopes are protected", async () => {
    expect(await send(url, "GET", "/inside")).toMatchObject({ status: 401, body: MISSING, challenge: 'Bearer realm="api"' });
    expect(await send(url, "GET", "/inside/child")).toMatchObject({ status: 401, body: MISSING });
    expect(await send(url, "GET", "/inside", bearer(reader))).toMatchObject({ status: 200, body: { auth: "user-1" } });
    expect(await send(url, "GET", "/inside/child", bearer(admin))).toMatchObject({ status: 200, body: { auth: "admin-1" } });
  });

  it("decisions are reported only for routes in the protected scope", () => {
    expect(decisions.every((decision) => decision.path?.startsWith("/inside"))).toBe(true);
    expect(decisions.length).toBe(4);
  });
});

describe("fastify: the plugin registered again in a child scope", () => {
  const app = Fastify();
  let url: string;

  beforeAll(async () => {
    await app.register(async (api) => {
      await api.register(tokenward, { verifier, optional: true, realm: "public" });
      api.get("/feed", async (request) => seen(request.auth));
      await api.register(async (adminScope) => {
        await adminScope.register(tokenward, { verifier, realm: "admin" });
        adminScope.get("/admin", { preHandler: requireRoles("admin") }, async (request) => seen(request.auth));
        adminScope.get("/admin/write", { preHandler: requireScopes("write:data") }, async (request) => seen(request.auth));
      });
    });
    url = await start(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it("starts: optional authentication at the top, required in the child (the request decorator is shared)", async () => {
    expect(await send(url, "GET", "/feed")).toMatchObject({ status: 200, body: { auth: "undefined" } });
    expect(await send(url, "GET", "/feed", bearer(reader))).toMatchObject({ status: 200, body: { auth: "user-1" } });
    expect(await send(url, "GET", "/admin")).toMatchObject({ status: 401, body: MISSING, challenge: 'Bearer realm="admin"' });
    expect(await send(url, "GET", "/admin", bearer(reader))).toMatchObject({ status: 403 });
    expect(await send(url, "GET", "/admin", bearer(admin))).toMatchObject({ status: 200, body: { auth: "admin-1" } });
  });

  it("the child's guards answer with the child's realm", async () => {
    const answer = await send(url, "GET", "/admin/write", bearer(reader));
    expect(answer.status).toBe(403);
    expect(answer.challenge).toBe(
      'Bearer realm="admin", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="write:data"',
    );
  });
});

describe("fastify: registration errors", () => {
  it("bad options fail the registration with a ConfigError (at start-up, not at a request)", async () => {
    const app = Fastify();
    await expect(app.register(tokenward, { verifier, realm: 'a "quoted" realm' })).rejects.toSatisfy(ConfigError.is);
    await app.close();
  });

  it("registering it twice in the same scope fails the registration, rather than never starting", async () => {
    const app = Fastify({ pluginTimeout: 2000 });
    await app.register(tokenward, { verifier });
    const failure = await app.register(tokenward, { verifier }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as { code?: string } | undefined)?.code).toBe("FST_ERR_DEC_ALREADY_PRESENT");
    await app.close();
  });
});

describe("fastify: where authentication runs", () => {
  const app = Fastify();
  let url: string;

  beforeAll(async () => {
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
      done(null, parseForm(body as string));
    });
    await app.register(async (strict) => {
      await strict.register(tokenward, { verifier });
      strict.post("/strict/upload", async () => ({ stored: true }));
    });
    await app.register(async (forms) => {
      await forms.register(tokenward, { verifier, allowBodyToken: true });
      forms.post("/forms/write", { preHandler: requireScopes("write:data") }, async (request) => seen(request.auth));
    });
    url = await start(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it("without body tokens, in onRequest: an unauthenticated request is refused before its body is parsed (401, not 415)", async () => {
    const answer = await send(url, "POST", "/strict/upload", { "content-type": "application/x-unknown" }, "x".repeat(1000));
    expect(answer).toMatchObject({ status: 401, body: MISSING });
  });

  it("with body tokens, in preHandler after body parsing; route preHandler guards still run after it", async () => {
    const writer = form({ access_token: admin });
    expect(await send(url, "POST", "/forms/write", writer.headers, writer.body)).toMatchObject({ status: 200, body: { auth: "admin-1" } });
    const weak = form({ access_token: reader });
    expect(await send(url, "POST", "/forms/write", weak.headers, weak.body)).toMatchObject({ status: 403, body: { code: "insufficient_scope" } });
  });
});
