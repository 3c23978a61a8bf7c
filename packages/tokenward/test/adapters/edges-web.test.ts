import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthenticator, protect, protectedResourceMetadata, protectedResourceResponse, requireScopes } from "../../src/adapters/web.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { TokenError } from "../../src/errors/token-error.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { scopedEnv } from "../helpers/scoped-env.js";
import { bearer, send, serveFetch } from "./edges-harnesses.js";
import type { RunningApi } from "./harnesses.js";

// tokenward/web specifics, over real HTTP (a fetch handler behind
// @hono/node-server on 127.0.0.1): one verifier per authenticator, the
// environment read once by authenticate(request), protect() passing route
// context through.

let key: TestKey;
let jwks: TestServer;
const tokens: string[] = [];

beforeAll(async () => {
  key = await generateKey("ES256", "edges-web");
  jwks = await startServer();
  jwks.json("/jwks", jwksOf(key));
  for (let index = 0; index < 4; index += 1) tokens.push(await signToken(key, accessClaims({ sub: `user-${index}` })));
});
afterAll(async () => {
  await jwks.close();
});

const ENV = () => ({ TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: AUDIENCE, TOKENWARD_JWKS_URI: `${jwks.origin}/jwks` });

/** A fetch handler answering with what an authenticator decided. */
function handlerOf(
  authenticate: (request: Request) => Promise<{ ok: true; auth: { subject: string | undefined } | undefined } | { ok: false; response: Response }>,
) {
  return async (request: Request) => {
    const result = await authenticate(request);
    return result.ok ? Response.json({ sub: result.auth?.subject ?? null }) : result.response;
  };
}

describe("web: createAuthenticator", () => {
  let verifier: Verifier;
  let api: RunningApi;

  beforeAll(async () => {
    verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
    api = await serveFetch(handlerOf(createAuthenticator({ verifier })));
  });
  afterAll(async () => {
    await api.close();
  });

  it("reuses one verifier for all requests: its verified-token cache hits grow across requests", async () => {
    const token = tokens[0] as string;
    const before = verifier.cacheStats().hits;
    for (let round = 0; round < 4; round += 1) expect(await send(api.url, "GET", "/", bearer(token))).toMatchObject({ status: 200, body: { sub: "user-0" } });
    const middle = verifier.cacheStats().hits;
    expect(middle).toBeGreaterThan(before);
    for (let round = 0; round < 3; round += 1) await send(api.url, "GET", "/", bearer(token));
    expect(verifier.cacheStats().hits).toBe(middle + 3);
  });

  it("a refusal carries the TokenError and a ready Response", async () => {
    const authenticate = createAuthenticator({ verifier, realm: "web" });
    const result = await authenticate(new Request("http://127.0.0.1/x", { headers: { authorization: "Bearer not.a.jwt" } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(TokenError);
    expect(result.error.code).toBe("token_malformed");
    expect(result.response.status).toBe(401);
    expect(result.response.headers.get("www-authenticate")).toBe('Bearer realm="web", error="invalid_token", error_description="The token is malformed."');
    expect(await result.response.json()).toEqual({ code: "token_malformed", message: "The token is malformed." });
  });

  it("without a verifier, builds one from the environment when created, and fetches the keys once for many requests", async () => {
    const restore = scopedEnv(ENV());
    let fromEnv: RunningApi;
    try {
      fromEnv = await serveFetch(handlerOf(createAuthenticator()));
    } finally {
      restore();
    }
    try {
      const fetched = jwks.count("/jwks");
      for (const [index, token] of tokens.entries()) {
        expect(await send(fromEnv.url, "GET", "/", bearer(token))).toMatchObject({ status: 200, body: { sub: `user-${index}` } });
      }
      expect(jwks.count("/jwks")).toBe(fetched + 1);
    } finally {
      await fromEnv.close();
    }
  });

  it("a missing environment is a ConfigError when the authenticator is created", () => {
    const restore = scopedEnv({});
    try {
      expect(() => createAuthenticator()).toThrow(ConfigError);
      expect(() => protect(() => new Response("never"))).toThrow(ConfigError);
    } finally {
      restore();
    }
  });
});

describe("web: authenticate(request) without options", () => {
  afterEach(() => {
    vi.resetModules();
  });

  it("reads the environment once per process: later changes to it do not matter, and the keys are fetched once", async () => {
    vi.resetModules();
    const web = await import("../../src/adapters/web.js");
    const restore = scopedEnv(ENV());
    const api = await serveFetch(handlerOf(web.authenticate));
    try {
      const fetched = jwks.count("/jwks");
      expect(await send(api.url, "GET", "/", bearer(tokens[1] as string))).toMatchObject({ status: 200, body: { sub: "user-1" } });
      // The environment now names another audience: the authenticator built from the first read is kept.
      process.env.TOKENWARD_AUDIENCE = "https://somewhere-else.example.com";
      expect(await send(api.url, "GET", "/", bearer(tokens[2] as string))).toMatchObject({ status: 200, body: { sub: "user-2" } });
      delete process.env.TOKENWARD_ISSUER;
      expect(await send(api.url, "GET", "/", bearer(tokens[3] as string))).toMatchObject({ status: 200, body: { sub: "user-3" } });
      expect(await send(api.url, "GET", "/")).toMatchObject({ status: 401, body: { code: "token_missing" } });
      expect(jwks.count("/jwks")).toBe(fetched + 1);
    } finally {
      restore();
      await api.close();
    }
  });

  it("with the environment missing, fails with a ConfigError naming the variable rather than answering 401", async () => {
    vi.resetModules();
    const web = await import("../../src/adapters/web.js");
    const restore = scopedEnv({ TOKENWARD_ISSUER: ISSUER });
    try {
      const failure = await Promise.resolve()
        .then(() => web.authenticate(new Request("http://127.0.0.1/", { headers: bearer(tokens[0] as string) })))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(ConfigError.is(failure)).toBe(true);
      expect((failure as ConfigError).field).toBe("TOKENWARD_AUDIENCE");
    } finally {
      restore();
    }
  });
});

describe("web: protect", () => {
  let api: RunningApi;
  let verifier: Verifier;

  beforeAll(async () => {
    verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
    // A Next.js-style route handler: (request, { params }) => Response.
    const handler = protect<[{ params: { id: string } }]>((_request, { auth }, route) => Response.json({ sub: auth?.subject ?? null, id: route.params.id }), {
      verifier,
      guards: [requireScopes("read:data")],
    });
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com/items", authorizationServers: [ISSUER] });
    api = await serveFetch((request) => {
      const path = new URL(request.url).pathname;
      if (path === metadata.path) return protectedResourceResponse(metadata);
      return handler(request, { params: { id: path.slice(1) } });
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("passes the framework's extra arguments (route params) to the handler", async () => {
    expect(await send(api.url, "GET", "/item-42", bearer(tokens[0] as string))).toMatchObject({ status: 200, body: { sub: "user-0", id: "item-42" } });
  });

  it("answers refusals itself: the handler never runs", async () => {
    expect(await send(api.url, "GET", "/item-42")).toMatchObject({ status: 401, body: { code: "token_missing" } });
  });

  it("serves the RFC 9728 document at the path for a resource with a path (RFC 9728 §3.1)", async () => {
    const answer = await send(api.url, "GET", "/.well-known/oauth-protected-resource/items");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.body).toEqual({ resource: "https://api.example.com/items", authorization_servers: [ISSUER], bearer_methods_supported: ["header"] });
  });
});
