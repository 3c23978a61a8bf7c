import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, killAll, type NodeProcess, send, startNode } from "./support.js";

// The runnable examples of examples/README.md, run as a user runs them: the
// dev issuer and each example API as real Node processes on 127.0.0.1, the
// APIs configured only through the variables the dev issuer prints, and the
// README's requests sent over real HTTP.

const DEV_ISSUER = "examples/dev-issuer.mjs";
const APIS = [
  { name: "Express", script: "examples/express-api/server.mjs" },
  { name: "Fastify", script: "examples/fastify-api/server.mjs" },
] as const;

let issuer: NodeProcess;
let issuerUrl: string;
let audience: string;
/** What the dev issuer prints to put in front of `npm run example:express`. */
let apiEnv: Record<string, string>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  assertBuilt();
  issuer = startNode(DEV_ISSUER, { DEV_ISSUER_PORT: "0" });
  await issuer.waitForLine((line) => line.startsWith("Stop with Ctrl-C"));
  const text = issuer.stdout.join("\n");
  issuerUrl = /^tokenward dev issuer at (http:\/\/127\.0\.0\.1:\d+) /m.exec(text)?.[1] ?? "";
  const command = /^ {2}(TOKENWARD_ISSUER=\S+ TOKENWARD_AUDIENCE=\S+ TOKENWARD_JWKS_URI=\S+) npm run example:express$/m.exec(text)?.[1] ?? "";
  apiEnv = Object.fromEntries(command.split(" ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  audience = apiEnv.TOKENWARD_AUDIENCE ?? "";
  for (const [, name, token] of text.matchAll(/^ {2}export (\w+)=(\S+) {2}# /gm)) tokens[name as string] = token as string;
});

afterAll(async () => {
  await killAll();
});

describe("examples/dev-issuer.mjs", () => {
  it("prints its URL, the variables that start the example APIs against it, and ready tokens", () => {
    expect(issuerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(apiEnv).toEqual({ TOKENWARD_ISSUER: issuerUrl, TOKENWARD_AUDIENCE: "http://localhost:8000", TOKENWARD_JWKS_URI: `${issuerUrl}/jwks.json` });
    expect(Object.keys(tokens)).toEqual(["READER", "WRITER", "ADMIN", "EXPIRED"]);
    expect(issuer.stdout.join("\n")).toContain("not an authorization server");
  });

  it("serves its JWKS and an OpenID discovery document that names it as the issuer (OIDC Discovery §4.3)", async () => {
    const discovery = await send(`${issuerUrl}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body).toMatchObject({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks.json` });
    const jwks = await send(`${issuerUrl}/jwks.json`);
    expect(jwks.body).toMatchObject({ keys: [{ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" }] });
    expect(JSON.stringify(jwks.body)).not.toContain('"d"');
  });

  it("mints RFC 9068 access tokens: typ at+jwt, its own iss, the audience, a scope or role per persona", () => {
    const decode = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8"));
    const header = JSON.parse(Buffer.from((tokens.READER as string).split(".")[0] as string, "base64url").toString("utf8"));
    expect(header).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    expect(decode(tokens.READER as string)).toMatchObject({ iss: issuerUrl, aud: audience, sub: "reader", scope: "read:data", client_id: "dev-client" });
    expect(decode(tokens.WRITER as string)).toMatchObject({ sub: "writer", scope: "read:data write:data" });
    expect(decode(tokens.ADMIN as string)).toMatchObject({ sub: "admin", roles: ["admin"] });
    expect(decode(tokens.EXPIRED as string).exp).toBeLessThan(Date.now() / 1000);
  });
});

for (const api of APIS) {
  describe(`${api.script} (the ${api.name} example)`, () => {
    let server: NodeProcess;
    let base: string;
    const metadataUrl = () => `${audience}/.well-known/oauth-protected-resource`;
    const bearer = (name: string) => ({ authorization: `Bearer ${tokens[name]}` });

    beforeAll(async () => {
      server = startNode(api.script, { ...apiEnv, PORT: "0" });
      const line = await server.waitForLine((text) => text.includes(" listening on "));
      base = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1] ?? "";
      expect(base).not.toBe("");
    });

    it("answers 200 to a valid token on GET /api/protected", async () => {
      const answer = await send(`${base}/api/protected`, { headers: bearer("READER") });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ message: "any valid token gets here", sub: "reader", scopes: ["read:data"] });
    });

    it("answers 401 with a bare Bearer challenge and resource_metadata when no token is sent (RFC 6750 §3.1, RFC 9728 §5.1)", async () => {
      const answer = await send(`${base}/api/protected`);
      expect(answer.status).toBe(401);
      expect(answer.challenge).toBe(`Bearer realm="api", resource_metadata="${metadataUrl()}"`);
      expect(answer.body).toEqual({ code: "token_missing", message: "No bearer token was presented." });
    });

    it("answers 401 invalid_token to an expired token (RFC 6750 §3.1)", async () => {
      const answer = await send(`${base}/api/protected`, { headers: bearer("EXPIRED") });
      expect(answer.status).toBe(401);
      expect(answer.challenge).toBe(
        `Bearer realm="api", error="invalid_token", error_description="The token has expired.", resource_metadata="${metadataUrl()}"`,
      );
      expect(answer.body).toEqual({ code: "token_expired", message: "The token has expired." });
    });

    it("answers 403 insufficient_scope naming write:data to POST /api/data without that scope (RFC 6750 §3.1)", async () => {
      const answer = await send(`${base}/api/data`, {
        method: "POST",
        headers: { ...bearer("READER"), "content-type": "application/json" },
        body: '{"item":"x"}',
      });
      expect(answer.status).toBe(403);
      expect(answer.challenge).toBe(
        `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="write:data", resource_metadata="${metadataUrl()}"`,
      );
      expect(answer.body).toEqual({ code: "insufficient_scope", message: "The token does not grant the required scope.", scope: "write:data" });
    });

    it("lets POST /api/data through with the write:data scope and reads the JSON body", async () => {
      const answer = await send(`${base}/api/data`, {
        method: "POST",
        headers: { ...bearer("WRITER"), "content-type": "application/json" },
        body: '{"item":"x"}',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ message: "saved", sub: "writer", data: { item: "x" } });
    });

    it("answers 403 access_denied without a challenge to GET /api/admin without the admin role (a new token would not help)", async () => {
      const answer = await send(`${base}/api/admin`, { headers: bearer("WRITER") });
      expect(answer.status).toBe(403);
      expect(answer.challenge).toBeUndefined();
      expect(answer.body).toEqual({ code: "access_denied", message: "The token does not grant access to this resource." });
    });

    it("lets GET /api/admin through with the admin role", async () => {
      const answer = await send(`${base}/api/admin`, { headers: bearer("ADMIN") });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ message: "admins only", sub: "admin", roles: ["admin"] });
    });

    it("serves its RFC 9728 metadata at /.well-known/oauth-protected-resource without a token (RFC 9728 §3)", async () => {
      const answer = await send(`${base}/.well-known/oauth-protected-resource`);
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      expect(answer.body).toEqual({
        resource: audience,
        authorization_servers: [issuerUrl],
        scopes_supported: ["read:data", "write:data"],
        bearer_methods_supported: ["header"],
        resource_name: `tokenward ${api.name} example`,
      });
    });

    it("serves GET /health without a token", async () => {
      const answer = await send(`${base}/health`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: "ok" });
    });

    it("logs every decision as one JSON line with code, status, issuer and latency, and never a token", async () => {
      // The requests above: 1 + 1 + 1 + 2 + 2 + 2 + 2 decisions (guarded routes decide twice: token, then guard).
      await server.waitForLine(() => server.stdout.filter((line) => line.startsWith("{")).length >= 11);
      const decisions = server.stdout.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
      expect(decisions.every((decision) => decision.event === "auth" && typeof decision.latencyMs === "number" && decision.latencyMs >= 0)).toBe(true);
      expect(decisions[0]).toMatchObject({ outcome: "accepted", code: null, status: 200, issuer: issuerUrl, method: "GET", path: "/api/protected" });
      expect(decisions).toContainEqual(expect.objectContaining({ outcome: "rejected", code: "token_missing", status: 401, issuer: null }));
      expect(decisions).toContainEqual(expect.objectContaining({ code: "token_expired", status: 401, hint: expect.stringContaining("expired") }));
      expect(decisions).toContainEqual(expect.objectContaining({ stage: "authorization", code: "insufficient_scope", status: 403, path: "/api/data" }));
      expect(decisions).toContainEqual(expect.objectContaining({ stage: "authorization", code: "access_denied", status: 403, path: "/api/admin" }));
      const output = [...server.stdout, ...server.stderr].join("\n");
      for (const token of Object.values(tokens)) {
        expect(output).not.toContain(token);
        expect(output).not.toContain(token.slice(token.lastIndexOf(".") + 1));
      }
    });

    it("stops cleanly on SIGTERM: closes the server and exits with code 0", async () => {
      expect(await server.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      await expect(send(`${base}/health`)).rejects.toThrow(/ECONNREFUSED/);
    });
  });
}

describe("starting and stopping the examples", () => {
  for (const api of APIS) {
    it(`the ${api.name} example stops cleanly on SIGINT (Ctrl-C) sent as soon as it prints its URL, with exit code 0`, async () => {
      const server = startNode(api.script, { ...apiEnv, PORT: "0" });
      await server.waitForLine((line) => line.includes(" listening on "));
      expect(await server.stop("SIGINT")).toEqual({ code: 0, signal: null });
    });

    it(`the ${api.name} example refuses to start without TOKENWARD_ISSUER, exits with code 2 and names the variable`, async () => {
      const server = startNode(api.script, { TOKENWARD_AUDIENCE: "http://localhost:8000", PORT: "0" });
      expect(await server.exited).toEqual({ code: 2, signal: null });
      expect(server.stderr.join("\n")).toMatch(/^Configuration error: TOKENWARD_ISSUER: is not set/);
    });
  }

  it("the dev issuer stops cleanly on SIGTERM, with exit code 0", async () => {
    expect(await issuer.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });
});
