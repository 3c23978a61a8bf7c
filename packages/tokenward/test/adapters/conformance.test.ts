import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthDecision } from "../../src/http/options.js";
import { protectedResourceMetadata } from "../../src/http/resource-metadata.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { HARNESSES, type RunningApi } from "./harnesses.js";

// One behaviour table, run against every adapter over real HTTP on
// 127.0.0.1 with real signed tokens: status, WWW-Authenticate and body are
// checked exactly (RFC 6750 §3, RFC 9728 §5.1).

const DOWN_ISSUER = "https://down.example.com";
const metadata = protectedResourceMetadata({
  resource: "https://api.example.com",
  authorizationServers: [ISSUER],
  scopesSupported: ["read:data", "write:data"],
});
const RM = `resource_metadata="${metadata.url}"`;

let key: TestKey;
let jwksDown: TestServer;
let verifier: Verifier;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
  jwksDown = await startServer();
  jwksDown.route("/jwks", (_request, response) => {
    response.writeHead(500).end();
  });
  verifier = createVerifier({
    issuers: [
      { issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) },
      { issuer: DOWN_ISSUER, audience: AUDIENCE, jwksUri: `${jwksDown.origin}/jwks` },
    ],
  });
  const now = Math.floor(Date.now() / 1000);
  tokens.reader = await signToken(key, accessClaims({ scope: "read:data", roles: ["user"] }));
  tokens.admin = await signToken(key, accessClaims({ sub: "admin-1", scope: "read:data write:data", roles: ["admin"] }));
  tokens.expired = await signToken(key, accessClaims({ iat: now - 600, exp: now - 300 }));
  tokens.wrongIssuer = await signToken(key, accessClaims({ iss: "https://evil.example.com" }));
  tokens.wrongAudience = await signToken(key, accessClaims({ aud: "https://other-api.example.com" }));
  tokens.downIssuer = await signToken(key, accessClaims({ iss: DOWN_ISSUER }));
});

afterAll(async () => {
  await jwksDown.close();
});

interface Answer {
  status: number;
  challenge: string | undefined;
  retryAfter: string | undefined;
  body: unknown;
}

/** A raw HTTP request, so that repeated headers really are repeated on the wire. */
function send(base: string, method: string, path: string, headers: Record<string, string | string[]> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers: { connection: "close", ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({
          status: response.statusCode ?? 0,
          challenge: response.headers["www-authenticate"],
          retryAfter: response.headers["retry-after"],
          body,
        });
      });
    });
    request.on("error", reject);
    request.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const invalidToken = (description: string) => `Bearer realm="api", error="invalid_token", error_description="${description}", ${RM}`;
const invalidRequest = `Bearer realm="api", error="invalid_request", error_description="The request presents its bearer token incorrectly.", ${RM}`;

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers?: () => Record<string, string | string[]>;
  readonly query?: () => string;
  readonly status: number;
  readonly challenge?: string;
  readonly body: unknown;
  readonly retryAfter?: boolean;
}

const CASES: readonly Case[] = [
  {
    name: "a valid token is accepted and reaches the handler",
    path: "/api/protected",
    headers: () => bearer(tokens.reader as string),
    status: 200,
    body: { sub: "user-1" },
  },
  {
    name: "the Bearer scheme is case-insensitive (RFC 9110 §11.1)",
    path: "/api/protected",
    headers: () => ({ authorization: `bEaReR ${tokens.reader}` }),
    status: 200,
    body: { sub: "user-1" },
  },
  {
    name: "a missing token is 401 with a bare challenge, no error code (RFC 6750 §3.1)",
    path: "/api/protected",
    status: 401,
    challenge: `Bearer realm="api", ${RM}`,
    body: { code: "token_missing", message: "No bearer token was presented." },
  },
  {
    name: "another scheme (Basic) is no bearer token: 401 token_missing",
    path: "/api/protected",
    headers: () => ({ authorization: "Basic dXNlcjpwYXNz" }),
    status: 401,
    challenge: `Bearer realm="api", ${RM}`,
    body: { code: "token_missing", message: "No bearer token was presented." },
  },
  {
    name: "a malformed token is 401 invalid_token",
    path: "/api/protected",
    headers: () => bearer("not.a.jwt"),
    status: 401,
    challenge: invalidToken("The token is malformed."),
    body: { code: "token_malformed", message: "The token is malformed." },
  },
  {
    name: "an expired token is 401 invalid_token",
    path: "/api/protected",
    headers: () => bearer(tokens.expired as string),
    status: 401,
    challenge: invalidToken("The token has expired."),
    body: { code: "token_expired", message: "The token has expired." },
  },
  {
    name: "a token from an untrusted issuer is 401 invalid_token",
    path: "/api/protected",
    headers: () => bearer(tokens.wrongIssuer as string),
    status: 401,
    challenge: invalidToken("The token's issuer is not trusted."),
    body: { code: "issuer_untrusted", message: "The token's issuer is not trusted." },
  },
  {
    name: "a token for another audience is 401 invalid_token",
    path: "/api/protected",
    headers: () => bearer(tokens.wrongAudience as string),
    status: 401,
    challenge: invalidToken("The token is not meant for this audience."),
    body: { code: "audience_mismatch", message: "The token is not meant for this audience." },
  },
  {
    name: "a missing scope is 403 insufficient_scope naming the scope needed (RFC 6750 §3.1)",
    method: "POST",
    path: "/api/data",
    headers: () => bearer(tokens.reader as string),
    status: 403,
    challenge: `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="write:data", ${RM}`,
    body: { code: "insufficient_scope", message: "The token does not grant the required scope.", scope: "write:data" },
  },
  {
    name: "the scope present lets the request through",
    method: "POST",
    path: "/api/data",
    headers: () => bearer(tokens.admin as string),
    status: 200,
    body: { sub: "admin-1" },
  },
  {
    name: "a missing role is 403 access_denied, without a challenge (a new token would not help)",
    path: "/api/admin",
    headers: () => bearer(tokens.reader as string),
    status: 403,
    body: { code: "access_denied", message: "The token does not grant access to this resource." },
  },
  {
    name: "the role present lets the request through",
    path: "/api/admin",
    headers: () => bearer(tokens.admin as string),
    status: 200,
    body: { sub: "admin-1" },
  },
  {
    name: "two Authorization headers are 400 invalid_request",
    path: "/api/protected",
    headers: () => ({ authorization: [`Bearer ${tokens.reader}`, `Bearer ${tokens.admin}`] }),
    status: 400,
    challenge: invalidRequest,
    body: { code: "invalid_request", message: "The request presents its bearer token incorrectly." },
  },
  {
    name: "a header and a query token together are 400 invalid_request",
    path: "/api/protected",
    headers: () => bearer(tokens.reader as string),
    query: () => `access_token=${tokens.reader}`,
    status: 400,
    challenge: invalidRequest,
    body: { code: "invalid_request", message: "The request presents its bearer token incorrectly." },
  },
  {
    name: "a token in the query string is refused unless enabled (RFC 6750 §2.3, §5.3)",
    path: "/api/protected",
    query: () => `access_token=${tokens.reader}`,
    status: 400,
    challenge: invalidRequest,
    body: { code: "invalid_request", message: "The request presents its bearer token incorrectly." },
  },
  {
    name: "an empty bearer credential is 400 invalid_request",
    path: "/api/protected",
    headers: () => ({ authorization: "Bearer " }),
    status: 400,
    challenge: invalidRequest,
    body: { code: "invalid_request", message: "The request presents its bearer token incorrectly." },
  },
  {
    name: "unreachable keys are 503 with Retry-After, not 401",
    path: "/api/protected",
    headers: () => bearer(tokens.downIssuer as string),
    status: 503,
    retryAfter: true,
    body: { code: "jwks_unavailable", message: "The signing keys cannot be fetched right now." },
  },
  { name: "an optional route lets a request without a token through", path: "/optional", status: 200, body: { sub: null } },
  { name: "an optional route takes a valid token", path: "/optional", headers: () => bearer(tokens.admin as string), status: 200, body: { sub: "admin-1" } },
  {
    name: "an optional route still refuses a bad token",
    path: "/optional",
    headers: () => bearer(tokens.expired as string),
    status: 401,
    challenge: invalidToken("The token has expired."),
    body: { code: "token_expired", message: "The token has expired." },
  },
  { name: "a public route outside the protected scope needs no token", path: "/public", status: 200, body: { public: true } },
  {
    name: "the RFC 9728 metadata document is served where clients look",
    path: metadata.path,
    status: 200,
    body: {
      resource: "https://api.example.com",
      authorization_servers: [ISSUER],
      scopes_supported: ["read:data", "write:data"],
      bearer_methods_supported: ["header"],
    },
  },
];

for (const harness of HARNESSES) {
  describe(`adapter conformance: ${harness.name}`, () => {
    let api: RunningApi;
    const decisions: AuthDecision[] = [];

    beforeAll(async () => {
      api = await harness.start({ verifier, metadata, resourceMetadata: metadata, onDecision: (decision) => decisions.push(decision) });
    });
    afterAll(async () => {
      await api.close();
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const path = c.query === undefined ? c.path : `${c.path}?${c.query()}`;
        const answer = await send(api.url, c.method ?? "GET", path, c.headers?.() ?? {});
        expect(answer.body).toEqual(c.body);
        expect(answer.status).toBe(c.status);
        expect(answer.challenge).toBe(c.challenge);
        if (c.retryAfter === true) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      });
    }

    it("reports every decision to onDecision, with code, status, issuer and latency, and never a token", () => {
      expect(decisions.length).toBeGreaterThan(10);
      const text = JSON.stringify(decisions);
      for (const token of Object.values(tokens)) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(token.slice(token.lastIndexOf(".") + 1));
      }
      const accepted = decisions.find((decision) => decision.outcome === "accepted" && decision.issuer !== undefined);
      expect(accepted).toMatchObject({ stage: "authentication", status: 200, issuer: ISSUER, code: undefined });
      expect(accepted?.latencyMs).toBeGreaterThanOrEqual(0);
      const expired = decisions.find((decision) => decision.code === "token_expired");
      expect(expired).toMatchObject({ outcome: "rejected", status: 401, path: "/api/protected" });
      expect(expired?.hint).toContain("expired");
      const denied = decisions.find((decision) => decision.code === "access_denied");
      expect(denied).toMatchObject({ outcome: "rejected", stage: harness.name === "web" ? "authentication" : "authorization", status: 403 });
    });
  });
}
