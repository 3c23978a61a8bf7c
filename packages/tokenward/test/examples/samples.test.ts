import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { type Answer, type Listening, listen, send, serveFetch } from "./support.js";

// The code samples of docs/adapters.md (each one a file in samples/, which
// the docs show verbatim) run here over real HTTP on 127.0.0.1 with real
// signed tokens. The samples read TOKENWARD_* variables when they are loaded,
// as users' apps do, so the variables are set before the first import.

const VARIABLES = ["TOKENWARD_ISSUER", "TOKENWARD_AUDIENCE", "TOKENWARD_JWKS_URI"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

let key: TestKey;
let jwks: TestServer;
const servers: Listening[] = [];
const tokens: Record<string, string> = {};

async function token(claims: Record<string, unknown>): Promise<string> {
  return signToken(key, accessClaims(claims));
}

beforeAll(async () => {
  key = await generateKey("ES256", "docs-key");
  jwks = await startServer();
  jwks.json("/jwks", jwksOf(key));
  process.env.TOKENWARD_ISSUER = ISSUER;
  process.env.TOKENWARD_AUDIENCE = AUDIENCE;
  process.env.TOKENWARD_JWKS_URI = `${jwks.origin}/jwks`;
  const now = Math.floor(Date.now() / 1000);
  tokens.reader = await token({ sub: "reader", scope: "read:data" });
  tokens.writer = await token({ sub: "writer", scope: "read:data write:data" });
  tokens.admin = await token({ sub: "admin", scope: "read:data", roles: ["admin"] });
  tokens.expired = await token({ sub: "reader", iat: now - 600, exp: now - 300 });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await jwks?.close();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function started(server: Promise<Listening>): Promise<string> {
  const running = await server;
  servers.push(running);
  return running.url;
}

const bearer = (name: string): Record<string, string> => ({ authorization: `Bearer ${tokens[name]}` });
const MISSING = { code: "token_missing", message: "No bearer token was presented." };
const EXPIRED = { code: "token_expired", message: "The token has expired." };
const SCOPE = { code: "insufficient_scope", message: "The token does not grant the required scope." };
const DENIED = { code: "access_denied", message: "The token does not grant access to this resource." };
const scopeChallenge = (scope: string, extra = "") =>
  `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="${scope}"${extra}`;

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly token?: string;
  readonly status: number;
  readonly body: unknown;
  readonly challenge?: string;
}

// The routes every framework sample has: /health, /hello (optional), /api/me, POST /api/data (write:data), /api/admin (role admin).
const FRAMEWORK_CASES: readonly Case[] = [
  { name: "a public route needs no token", path: "/health", status: 200, body: { status: "ok" } },
  { name: "an optional route lets a request without a token through", path: "/hello", status: 200, body: { hello: "stranger" } },
  { name: "an optional route reads a valid token", path: "/hello", token: "reader", status: 200, body: { hello: "reader" } },
  { name: "an optional route still refuses a bad token", path: "/hello", token: "expired", status: 401, body: EXPIRED },
  { name: "a protected route refuses a request without a token", path: "/api/me", status: 401, body: MISSING, challenge: 'Bearer realm="api"' },
  { name: "a protected route takes any valid token", path: "/api/me", token: "reader", status: 200, body: { sub: "reader", scopes: ["read:data"] } },
  {
    name: "the scope guard refuses a token without write:data",
    method: "POST",
    path: "/api/data",
    token: "reader",
    status: 403,
    body: { ...SCOPE, scope: "write:data" },
    challenge: scopeChallenge("write:data"),
  },
  { name: "the scope guard lets write:data through", method: "POST", path: "/api/data", token: "writer", status: 200, body: { sub: "writer", saved: true } },
  { name: "the role guard refuses a token without the admin role", path: "/api/admin", token: "writer", status: 403, body: DENIED },
  { name: "the role guard lets the admin role through", path: "/api/admin", token: "admin", status: 200, body: { sub: "admin", roles: ["admin"] } },
];

async function check(base: string, c: Case): Promise<Answer> {
  const headers: Record<string, string> = c.token === undefined ? {} : { authorization: `Bearer ${tokens[c.token] ?? c.token}` };
  const answer = await send(`${base}${c.path}`, { method: c.method ?? "GET", headers });
  expect(answer.body).toEqual(c.body);
  expect(answer.status).toBe(c.status);
  if (c.challenge !== undefined) expect(answer.challenge).toBe(c.challenge);
  else if (c.status === 403) {
    // Without a stated challenge: the plain insufficient_scope one, or none for access_denied.
    const body = c.body as { code: string; scope?: string };
    expect(answer.challenge).toBe(body.code === "insufficient_scope" ? scopeChallenge(body.scope ?? "") : undefined);
  }
  return answer;
}

const FRAMEWORKS: Record<string, () => Promise<Listening>> = {
  "express.ts (Express 4 and 5)": async () => listen((await import("./samples/express.js")).app),
  "fastify.ts": async () => {
    const { app } = await import("./samples/fastify.js");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
  "hono.ts": async () => serveFetch((await import("./samples/hono.js")).app.fetch),
  "koa.ts": async () => listen((await import("./samples/koa.js")).app.callback()),
  "web-fetch.ts (Bun, Deno)": async () => serveFetch((await import("./samples/web-fetch.js")).default.fetch),
};

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  describe(`docs sample ${name}`, () => {
    let base: string;
    beforeAll(async () => {
      base = await started(start());
    });
    for (const c of FRAMEWORK_CASES) it(c.name, () => check(base, c));
  });
}

describe("docs sample web-next.ts (Next.js route handlers)", () => {
  let base: string;
  beforeAll(async () => {
    const route = await import("./samples/web-next.js");
    const handlers: Record<string, (request: Request) => Promise<Response>> = { GET: route.GET, POST: route.POST, DELETE: route.DELETE };
    base = await started(serveFetch((request) => handlers[request.method]?.(request) ?? new Response(null, { status: 405 })));
  });

  it("GET takes any valid token and refuses a request without one", async () => {
    await check(base, { name: "", path: "/api/data", token: "reader", status: 200, body: { sub: "reader", scopes: ["read:data"] } });
    await check(base, { name: "", path: "/api/data", status: 401, body: MISSING, challenge: 'Bearer realm="api"' });
  });

  it("POST needs write:data (403 insufficient_scope otherwise) and can still read the request body", async () => {
    await check(base, { name: "", method: "POST", path: "/api/data", token: "reader", status: 403, body: { ...SCOPE, scope: "write:data" } });
    const answer = await send(`${base}/api/data`, { method: "POST", headers: { ...bearer("writer"), "content-type": "application/json" }, body: '{"n":1}' });
    expect(answer.body).toEqual({ sub: "writer", saved: { n: 1 } });
  });

  it("DELETE needs the admin role (403 access_denied otherwise)", async () => {
    await check(base, { name: "", method: "DELETE", path: "/api/data", token: "writer", status: 403, body: DENIED });
    await check(base, { name: "", method: "DELETE", path: "/api/data", token: "admin", status: 200, body: { sub: "admin", deleted: true } });
  });
});

describe("docs sample web-authenticate.ts (authenticate(request), configured from the environment)", () => {
  let base: string;
  beforeAll(async () => {
    base = await started(serveFetch((await import("./samples/web-authenticate.js")).GET));
  });

  it("answers with the verified token, or returns the refusal's RFC 6750 response as is", async () => {
    await check(base, { name: "", path: "/api/me", token: "reader", status: 200, body: { sub: "reader", scopes: ["read:data"] } });
    await check(base, { name: "", path: "/api/me", status: 401, body: MISSING, challenge: 'Bearer realm="api"' });
    await check(base, {
      name: "",
      path: "/api/me",
      token: "expired",
      status: 401,
      body: EXPIRED,
      challenge: 'Bearer realm="api", error="invalid_token", error_description="The token has expired."',
    });
  });
});

describe("docs sample web-worker.ts (Cloudflare Workers)", () => {
  it("configures itself from the Worker's env bindings, not from process.env", async () => {
    const worker = (await import("./samples/web-worker.js")).default;
    const env = { TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: "https://worker.example.com", TOKENWARD_JWKS_URI: `${jwks.origin}/jwks` };
    const base = await started(serveFetch((request) => worker.fetch(request, env)));
    const forWorker = await token({ sub: "reader", aud: "https://worker.example.com", scope: "read:data" });
    await check(base, { name: "", path: "/", token: forWorker, status: 200, body: { sub: "reader" } });
    // A token for the audience in process.env is for another API as far as this Worker knows.
    await check(base, {
      name: "",
      path: "/",
      token: "reader",
      status: 401,
      body: { code: "audience_mismatch", message: "The token is not meant for this audience." },
    });
  });
});

describe("docs sample hono-worker.ts (Hono on Cloudflare Workers)", () => {
  it("builds the app from the Worker's env bindings on the first request, and reuses it", async () => {
    const worker = (await import("./samples/hono-worker.js")).default;
    const env = { TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: "https://worker.example.com", TOKENWARD_JWKS_URI: `${jwks.origin}/jwks` };
    const base = await started(serveFetch((request) => worker.fetch(request, env)));
    const forWorker = await token({ sub: "reader", aud: "https://worker.example.com", scope: "read:data" });
    await check(base, { name: "", path: "/api/me", token: forWorker, status: 200, body: { sub: "reader" } });
    await check(base, {
      name: "",
      path: "/api/me",
      token: "reader",
      status: 401,
      body: { code: "audience_mismatch", message: "The token is not meant for this audience." },
    });
    await check(base, { name: "", path: "/api/me", status: 401, body: MISSING, challenge: 'Bearer realm="api"' });
  });
});

describe("docs sample mcp.ts (RFC 9728 for an MCP server)", () => {
  let base: string;
  let metadata: typeof import("./samples/mcp.js").metadata;
  beforeAll(async () => {
    const sample = await import("./samples/mcp.js");
    metadata = sample.metadata;
    base = await started(listen(sample.app));
  });
  const RM = ', resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"';

  it("puts the metadata at the well-known path with the resource's path appended (RFC 9728 §3.1)", () => {
    expect(metadata.path).toBe("/.well-known/oauth-protected-resource/mcp");
    expect(metadata.url).toBe("https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
  });

  it("serves the metadata document without a token (RFC 9728 §3.2)", async () => {
    await check(base, {
      name: "",
      path: metadata.path,
      status: 200,
      body: {
        resource: "https://mcp.example.com/mcp",
        authorization_servers: ["https://auth.example.com"],
        scopes_supported: ["mcp:tools"],
        bearer_methods_supported: ["header"],
        resource_name: "Example MCP server",
      },
    });
  });

  it("answers 401 with resource_metadata in the challenge, as MCP clients need to find the authorization server (RFC 9728 §5.1)", async () => {
    await check(base, { name: "", method: "POST", path: "/mcp", status: 401, body: MISSING, challenge: `Bearer realm="api"${RM}` });
  });

  it("answers 403 insufficient_scope naming mcp:tools to a token without it, then serves a token with it", async () => {
    await check(base, {
      name: "",
      method: "POST",
      path: "/mcp",
      token: "reader",
      status: 403,
      body: { ...SCOPE, scope: "mcp:tools" },
      challenge: scopeChallenge("mcp:tools", RM),
    });
    const tools = await token({ sub: "agent", scope: "mcp:tools" });
    const answer = await send(`${base}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${tools}`, "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","id":7,"method":"tools/list"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ jsonrpc: "2.0", id: 7, result: { sub: "agent" } });
  });
});

describe("docs sample options.ts (every option of authenticate)", () => {
  let base: string;
  let counts: Map<string, number>;
  beforeAll(async () => {
    const sample = await import("./samples/options.js");
    counts = sample.counts;
    base = await started(listen(sample.app));
  });
  const RM = ', resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"';

  it("names its realm and its metadata in challenges", async () => {
    await check(base, { name: "", path: "/api/me", status: 401, body: MISSING, challenge: `Bearer realm="example"${RM}` });
  });

  it("runs its guards on every request: read:data, or the trusted client", async () => {
    await check(base, { name: "", path: "/api/me", token: "reader", status: 200, body: { sub: "reader" } });
    const trusted = await token({ sub: "service", scope: "other", azp: "trusted-client" });
    await check(base, { name: "", path: "/api/me", token: trusted, status: 200, body: { sub: "service" } });
    const neither = await token({ sub: "nobody", scope: "other", azp: "someone-else" });
    await check(base, {
      name: "",
      path: "/api/me",
      token: neither,
      status: 403,
      body: { ...SCOPE, scope: "read:data" },
      challenge: `Bearer realm="example", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="read:data"${RM}`,
    });
  });

  it("refuses a token in the query string (allowQueryToken: false, RFC 6750 §2.3)", async () => {
    const answer = await send(`${base}/api/me?access_token=${tokens.reader}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ code: "invalid_request", message: "The request presents its bearer token incorrectly." });
  });

  it("counts each decision through onDecision", () => {
    expect(counts.get("rejected token_missing")).toBe(1);
    expect(counts.get("accepted 200")).toBe(2);
    expect(counts.get("rejected insufficient_scope")).toBe(1);
    expect(counts.get("rejected invalid_request")).toBe(1);
  });
});

describe("docs sample guards.ts (scopes, permissions, claims, combined)", () => {
  let base: string;
  beforeAll(async () => {
    base = await started(listen((await import("./samples/guards.js")).app));
  });
  const ok = (body: unknown) => ({ status: 200, body });

  it("requires all the scopes by default, and names them all in the challenge", async () => {
    const one = await token({ scope: "reports:read" });
    const both = await token({ scope: "reports:read reports:export" });
    await check(base, { name: "", path: "/api/reports", token: one, status: 403, body: { ...SCOPE, scope: "reports:read reports:export" } });
    await check(base, { name: "", path: "/api/reports", token: both, ...ok({ reports: [] }) });
  });

  it("requires one of the scopes with mode any", async () => {
    await check(base, { name: "", path: "/api/summary", token: await token({ scope: "admin" }), ...ok({ summary: {} }) });
    await check(base, { name: "", path: "/api/summary", token: "reader", status: 403, body: { ...SCOPE, scope: "reports:read admin" } });
  });

  it("checks permissions", async () => {
    const can = await token({ permissions: ["delete:items"] });
    await check(base, { name: "", method: "DELETE", path: "/api/items/1", token: can, ...ok({ deleted: true }) });
    await check(base, { name: "", method: "DELETE", path: "/api/items/1", token: "reader", status: 403, body: DENIED });
  });

  it("checks a claim's value, or a predicate on it", async () => {
    await check(base, { name: "", path: "/api/tenant", token: await token({ tid: "tenant-1" }), ...ok({ tenant: "tenant-1" }) });
    await check(base, { name: "", path: "/api/tenant", token: await token({ tid: "tenant-2" }), status: 403, body: DENIED });
    await check(base, { name: "", path: "/api/verified", token: await token({ email_verified: true }), ...ok({ verified: true }) });
    await check(base, { name: "", path: "/api/verified", token: await token({ email_verified: "true" }), status: 403, body: DENIED });
  });

  it("combines guards: anyOf passes on one branch; when all fail, insufficient_scope wins so the client learns what to ask for", async () => {
    const billed = ok({ billed: true });
    await check(base, { name: "", method: "POST", path: "/api/billing", token: "admin", ...billed });
    await check(base, { name: "", method: "POST", path: "/api/billing", token: await token({ scope: "billing", groups: ["finance"] }), ...billed });
    await check(base, { name: "", method: "POST", path: "/api/billing", token: await token({ scope: "billing" }), status: 403, body: DENIED });
    await check(base, {
      name: "",
      method: "POST",
      path: "/api/billing",
      token: await token({ scope: "read:data", groups: ["finance"] }),
      status: 403,
      body: { ...SCOPE, scope: "billing" },
    });
  });
});

describe("docs sample express-types.ts (req.auth in a handler of its own module)", () => {
  it("sees req.auth as the verified token, and undefined on an optional route without one", async () => {
    const { whoAmI } = await import("./samples/express-types.js");
    const express = (await import("express")).default;
    const { authenticate } = await import("../../src/adapters/express.js");
    const { createVerifier, fromEnv } = await import("../../src/index.js");
    const app = express();
    app.get("/me", authenticate({ verifier: createVerifier(fromEnv()), optional: true }), whoAmI);
    const base = await started(listen(app));
    await check(base, { name: "", path: "/me", status: 200, body: { anonymous: true } });
    const answer = await send(`${base}/me`, { headers: { authorization: `Bearer ${await token({ sub: "u", tid: "t-1", roles: ["r"] })}` } });
    expect(answer.body).toMatchObject({ sub: "u", tenant: "t-1", scopes: ["read:data"], roles: ["r"], permissions: [], issuer: ISSUER });
  });
});

describe("docs sample hono-env.ts (your own Hono variables next to AuthEnv)", () => {
  it("sets both tokenward's auth and the app's own variable", async () => {
    const base = await started(serveFetch((await import("./samples/hono-env.js")).app.fetch));
    const answer = await send(`${base}/api/me`, { headers: bearer("reader") });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sub: "reader", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });
});
