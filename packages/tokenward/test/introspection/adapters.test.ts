import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { protectedResourceMetadata } from "../../src/http/resource-metadata.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { HARNESSES, type RunningApi } from "../adapters/harnesses.js";
import { API, activeAnswer, CLIENT_ID, CLIENT_SECRET, type IntrospectionServer, json, opaqueToken, startIntrospectionServer } from "./helpers.js";

// Opaque tokens through every adapter (tokenward/express 4 and 5, fastify,
// hono, koa, web) over real HTTP on 127.0.0.1, unchanged: the adapters call
// the verifier, which introspects.

const metadata = protectedResourceMetadata({ resource: API, authorizationServers: ["https://as.example.com"] });

let as: IntrospectionServer;
let verifier: Verifier;
const tokens = { reader: opaqueToken(), writer: opaqueToken(), admin: opaqueToken(), revoked: opaqueToken(), broken: opaqueToken() };

beforeAll(async () => {
  as = await startIntrospectionServer();
  as.handle((request, response) => {
    const token = request.params.get("token");
    if (token === tokens.broken) return json(response, { error: "server_error" }, 500);
    const answers: Record<string, unknown> = {
      [tokens.reader]: activeAnswer({ sub: "reader", scope: "read:data" }),
      [tokens.writer]: activeAnswer({ sub: "writer", scope: "read:data write:data" }),
      [tokens.admin]: activeAnswer({ sub: "admin", roles: ["admin"] }),
    };
    json(response, answers[token ?? ""] ?? { active: false });
  });
  verifier = createVerifier({
    issuers: [
      {
        issuer: "https://as.example.com",
        audience: API,
        introspection: { endpoint: as.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, failureBackoffMs: 0 },
      },
    ],
  });
});

afterAll(async () => {
  await as.server.close();
});

async function call(api: RunningApi, path: string, token: string, method = "GET") {
  const response = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    challenge: response.headers.get("www-authenticate"),
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as unknown,
  };
}

for (const harness of HARNESSES) {
  describe(`${harness.name}: opaque tokens`, () => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await harness.start({ verifier, realm: "api", metadata });
    });
    afterAll(async () => {
      await api.close();
    });

    it("an active opaque token reaches the handler with its subject", async () => {
      expect(await call(api, "/api/protected", tokens.reader)).toMatchObject({ status: 200, body: { sub: "reader" } });
      // Repeated: answered from the introspection cache.
      expect(await call(api, "/api/protected", tokens.reader)).toMatchObject({ status: 200, body: { sub: "reader" } });
    });

    it("scopes and roles from the answer drive the route guards", async () => {
      expect(await call(api, "/api/data", tokens.writer, "POST")).toMatchObject({ status: 200, body: { sub: "writer" } });
      expect((await call(api, "/api/data", tokens.reader, "POST")).status).toBe(403);
      expect(await call(api, "/api/admin", tokens.admin)).toMatchObject({ status: 200, body: { sub: "admin" } });
      expect((await call(api, "/api/admin", tokens.reader)).status).toBe(403);
    });

    it("an inactive token is 401 invalid_token, code token_inactive", async () => {
      const answer = await call(api, "/api/protected", tokens.revoked);
      expect(answer.status).toBe(401);
      expect(answer.challenge).toContain('error="invalid_token", error_description="The token is not active."');
      expect(answer.body).toEqual({ code: "token_inactive", message: "The token is not active." });
    });

    it("an endpoint that fails is 503 with Retry-After, code introspection_unavailable", async () => {
      const answer = await call(api, "/api/protected", tokens.broken);
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(answer.body).toEqual({ code: "introspection_unavailable", message: "The token cannot be introspected right now." });
    });

    it("a token with characters no bearer token has is 400 invalid_request, never sent to the server", async () => {
      const before = as.requests.length;
      const answer = await call(api, "/api/protected", "abc,def");
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: "invalid_request" });
      expect(as.requests.length).toBe(before);
    });
  });
}
