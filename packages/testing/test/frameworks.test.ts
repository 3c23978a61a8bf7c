// How a user tests an API protected by tokenward: a mock issuer, the app as
// it ships (its verifier pointed at the mock), real requests on 127.0.0.1.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { createVerifier, type Verifier } from "tokenward";
import { authenticate, requireScopes } from "tokenward/express";
import { requireRoles, tokenward } from "tokenward/fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, INVALID_TOKENS, type InvalidTokenKind, type MockIssuer } from "../src/index.js";

// The application under test, written as in docs/adapters.md: it takes its verifier.
function expressApp(verifier: Verifier) {
  const app = express();
  app.use("/api", authenticate({ verifier }));
  app.get("/api/me", (req, res) => {
    res.json({ sub: req.auth?.subject, scopes: req.auth?.scopes });
  });
  app.post("/api/orders", requireScopes("write:orders"), (_req, res) => {
    res.status(201).json({ created: true });
  });
  return app;
}

describe("an Express API", () => {
  let issuer: MockIssuer;
  let server: Server;
  let api: string;

  beforeAll(async () => {
    issuer = await createMockIssuer({ audience: "https://orders.example.test" });
    server = createServer(expressApp(createVerifier({ issuers: [issuer.policy()], jwks: { failureBackoffMs: 20 } })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => issuer.reset());
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await issuer.close();
  });

  const call = (path: string, token?: string, method = "GET") =>
    fetch(`${api}${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it("200 with a valid token", async () => {
    const response = await call("/api/me", await issuer.mint({ sub: "alice" }, { scopes: ["read:orders"] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: "alice", scopes: ["read:orders"] });
  });

  it("401 without a token, with the RFC 6750 challenge", async () => {
    const response = await call("/api/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
  });

  it("403 insufficient_scope when the scope is missing, 201 when present", async () => {
    const reader = await call("/api/orders", await issuer.mint({}, { scopes: ["read:orders"] }), "POST");
    expect(reader.status).toBe(403);
    expect(reader.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect((await call("/api/orders", await issuer.mint({}, { scopes: ["write:orders"] }), "POST")).status).toBe(201);
  });

  for (const kind of Object.keys(INVALID_TOKENS) as InvalidTokenKind[]) {
    it(`${INVALID_TOKENS[kind].status} ${INVALID_TOKENS[kind].code} for mintInvalid("${kind}")`, async () => {
      const response = await call("/api/me", await issuer.mintInvalid(kind));
      expect(response.status).toBe(INVALID_TOKENS[kind].status);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(((await response.json()) as { code: string }).code).toBe(INVALID_TOKENS[kind].code);
    });
  }

  it("an opaque token is not a JWT: 401", async () => {
    expect((await call("/api/me", issuer.mintOpaque())).status).toBe(401);
  });
});

describe("a Fastify API trusting a Keycloak-shaped issuer (keys by discovery)", () => {
  let issuer: MockIssuer;
  beforeAll(async () => {
    issuer = await createMockIssuer({ path: "/realms/shop", preset: "keycloak", audience: "shop-api" });
  });
  afterEach(() => issuer.reset());
  afterAll(() => issuer.close());

  // The application under test, started per test: a fresh verifier, so no keys are cached from an earlier test.
  async function startShopApi(): Promise<{ url: string; app: FastifyInstance }> {
    const verifier = createVerifier({ issuers: [{ issuer: issuer.issuer, audience: "shop-api" }] });
    const app = Fastify();
    app.register(async (scope) => {
      await scope.register(tokenward, { verifier });
      scope.get("/admin", { preHandler: requireRoles("shop-admin") }, async (request) => ({ roles: request.auth?.roles }));
    });
    return { url: await app.listen({ port: 0, host: "127.0.0.1" }), app };
  }

  it("403 for a token without the realm role, 200 with it", async () => {
    const { url, app } = await startShopApi();
    try {
      const denied = await fetch(`${url}/admin`, { headers: { authorization: `Bearer ${await issuer.mint()}` } });
      expect(denied.status).toBe(403);
      const allowed = await fetch(`${url}/admin`, { headers: { authorization: `Bearer ${await issuer.mint({}, { roles: ["shop-admin"] })}` } });
      expect(allowed.status).toBe(200);
      expect(((await allowed.json()) as { roles: string[] }).roles).toContain("shop-admin");
    } finally {
      await app.close();
    }
  });

  it("503 with Retry-After while the JWKS cannot be fetched", async () => {
    const { url, app } = await startShopApi();
    try {
      issuer.fault("jwks", { kind: "status", status: 503 });
      const response = await fetch(`${url}/admin`, { headers: { authorization: `Bearer ${await issuer.mint({}, { roles: ["shop-admin"] })}` } });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await response.json()) as { code: string }).code).toBe("jwks_unavailable");
      expect(issuer.requestCounts()).toMatchObject({ metadata: 1, jwks: 1 });
    } finally {
      await app.close();
    }
  });
});
