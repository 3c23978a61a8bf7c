import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateClient } from "../../src/client-auth/authenticate-client.js";
import { CLIENT_ASSERTION_SIGNING_ALGORITHMS, clientAuthMethodsSupported } from "../../src/client-auth/supported.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { OAuthError } from "../../src/errors/oauth-error.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { type IssuerStore, StoreUnavailableError } from "../../src/store/types.js";
import { SECRET_HASH } from "../config/fixtures.js";
import { API, assertion, type ClientKey, clientKey, createContext, INTROSPECTION_URL, ISSUER, type TestContext, TOKEN_URL, tokenRequest } from "./context.js";

const TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let es256: ClientKey;
let rs256: ClientKey;
let ps256: ClientKey;
let eddsa: ClientKey;
let stranger: ClientKey;
let remoteKey: ClientKey;
let server: Server;
let jwksUri = "";
let jwksHits = 0;
let jkuHits = 0;

beforeAll(async () => {
  [es256, rs256, ps256, eddsa, stranger, remoteKey] = await Promise.all([
    clientKey("ES256"),
    clientKey("RS256"),
    clientKey("PS256"),
    clientKey("EdDSA"),
    clientKey("ES256"),
    clientKey("ES256"),
  ]);
  server = createServer((request, response) => {
    if (request.url === "/jwks.json") {
      jwksHits++;
      response.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" }).end(JSON.stringify({ keys: [remoteKey.jwk] }));
    } else {
      jkuHits++;
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [stranger.jwk] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function config(): Record<string, unknown> {
  return {
    issuer: ISSUER,
    clients: [
      { clientId: "signer", jwks: { keys: [es256.jwk, rs256.jwk, ps256.jwk, eddsa.jwk] }, audiences: [API], scopes: ["read:data"] },
      { clientId: "remote", jwksUri, audiences: [API], scopes: [] },
      { clientId: "secret-only", secretHash: SECRET_HASH, audiences: [API], scopes: [] },
    ],
  };
}

function params(token: string, extra: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({ client_assertion_type: TYPE, client_assertion: token, ...extra }));
}

async function refused(ctx: TestContext, values: Map<string, string>, request = tokenRequest()): Promise<OAuthError> {
  try {
    await authenticateClient(request, values, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error("authentication succeeded");
}

async function expectAuthFailure(ctx: TestContext, token: string, detail: RegExp, extra: Record<string, string> = {}, request?: Request): Promise<void> {
  const error = await refused(ctx, params(token, extra), request);
  expect(error.error).toBe("invalid_client");
  expect(error.status).toBe(401);
  expect(error.message).toBe("client authentication failed");
  expect(error.headers["WWW-Authenticate"]).toBe(`Basic realm="${ISSUER}", charset="UTF-8"`);
  expect(error.detail).toMatch(detail);
}

describe("private_key_jwt (RFC 7523 §2.2, §3)", () => {
  it.each(["ES256", "RS256", "PS256", "EdDSA"])("authenticates an assertion signed with %s", async (alg) => {
    const ctx = createContext(config());
    const key = { ES256: es256, RS256: rs256, PS256: ps256, EdDSA: eddsa }[alg] as ClientKey;
    const result = await authenticateClient(tokenRequest(), params(await assertion(key, "signer", ctx.now())), ctx);
    expect(result).toMatchObject({ client: { clientId: "signer" }, method: "private_key_jwt" });
  });

  it.each([
    ["the issuer", { aud: ISSUER }],
    ["the token endpoint", { aud: TOKEN_URL }],
    ["an array holding the issuer", { aud: ["https://elsewhere.example.com", ISSUER] }],
  ])("accepts an audience of %s", async (_name, claims) => {
    const ctx = createContext(config());
    await authenticateClient(tokenRequest(), params(await assertion(es256, "signer", ctx.now(), claims)), ctx);
  });

  it.each([["JWT"], ["client-authentication+jwt"], ["application/client-authentication+jwt"], [undefined]])("accepts typ %s", async (typ) => {
    const ctx = createContext(config());
    await authenticateClient(tokenRequest(), params(await assertion(es256, "signer", ctx.now(), {}, { typ })), ctx);
  });

  it("accepts a client_id parameter naming the same client, and no kid when one key fits", async () => {
    const ctx = createContext({
      issuer: ISSUER,
      clients: [{ clientId: "solo", jwks: { keys: [{ ...es256.jwk, kid: undefined }] }, audiences: [API], scopes: [] }],
    });
    const token = await assertion(es256, "solo", ctx.now(), {}, { kid: undefined });
    expect((await authenticateClient(tokenRequest(), params(token, { client_id: "solo" }), ctx)).client.clientId).toBe("solo");
  });

  it("refuses a replayed assertion, once its signature is verified", async () => {
    const ctx = createContext(config());
    const token = await assertion(es256, "signer", ctx.now());
    await authenticateClient(tokenRequest(), params(token), ctx);
    const error = await refused(ctx, params(token));
    expect(error.error).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.message).toBe("client assertion already used");
    expect(error.detail).toMatch(/assertion replayed/);
  });

  it("records a jti only for verified assertions: a forgery cannot burn a client's jti", async () => {
    const ctx = createContext(config());
    const forged = await assertion(stranger, "signer", ctx.now(), { jti: "chosen" }, { kid: es256.kid });
    await expectAuthFailure(ctx, forged, /signature_invalid/);
    await authenticateClient(tokenRequest(), params(await assertion(es256, "signer", ctx.now(), { jti: "chosen" })), ctx);
  });

  it("keeps the replay record until exp plus the clock tolerance", async () => {
    const recorded: number[] = [];
    const memory = createMemoryStore();
    const store: IssuerStore = {
      ...memory,
      useOnce: (namespace, key, at) => {
        recorded.push(at);
        return memory.useOnce(namespace, key, at);
      },
    };
    const ctx = createContext(config(), { store });
    const now = Math.floor(ctx.now() / 1000);
    await authenticateClient(tokenRequest(), params(await assertion(es256, "signer", ctx.now(), { exp: now + 60 })), ctx);
    expect(recorded).toEqual([(now + 60 + 30) * 1000]);
  });

  it("answers 503 when the store cannot record the jti", async () => {
    const memory = createMemoryStore();
    const store: IssuerStore = {
      ...memory,
      useOnce: async () => {
        throw new StoreUnavailableError("memory store full");
      },
    };
    const ctx = createContext(config(), { store });
    const error = await refused(ctx, params(await assertion(es256, "signer", ctx.now())));
    expect(error.status).toBe(503);
    expect(error.error).toBe("temporarily_unavailable");
  });

  it("accepts the endpoint being called as audience, and only that one", async () => {
    const ctx = createContext(config());
    const toIntrospection = () => assertion(es256, "signer", ctx.now(), { aud: INTROSPECTION_URL });
    await authenticateClient(tokenRequest({}, INTROSPECTION_URL), params(await toIntrospection()), ctx);
    await expectAuthFailure(ctx, await toIntrospection(), /names neither the issuer nor this endpoint/);
  });

  it("fetches keys from the client's jwksUri (node:http on 127.0.0.1) once, and keeps the verifier", async () => {
    const ctx = createContext(config());
    const before = jwksHits;
    for (let i = 0; i < 3; i++) {
      expect((await authenticateClient(tokenRequest(), params(await assertion(remoteKey, "remote", ctx.now())), ctx)).client.clientId).toBe("remote");
    }
    expect(jwksHits - before).toBe(1);
  });

  it("never fetches jku or x5u from a header", async () => {
    const ctx = createContext(config());
    const base = jwksUri.replace("/jwks.json", "");
    const token = await assertion(stranger, "signer", ctx.now(), {}, { jku: `${base}/attacker.json`, x5u: `${base}/cert.pem` });
    await expectAuthFailure(ctx, token, /key_not_found/);
    expect(jkuHits).toBe(0);
  });

  it("refuses an unsigned or HMAC assertion", async () => {
    const ctx = createContext(config());
    const now = Math.floor(ctx.now() / 1000);
    const claims = { iss: "signer", sub: "signer", aud: ISSUER, iat: now, exp: now + 60, jti: "j" };
    await expectAuthFailure(ctx, new UnsecuredJWT(claims).encode(), /algorithm_not_allowed|token_malformed/);
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("x".repeat(32)));
    await expectAuthFailure(ctx, hmac, /algorithm_not_allowed/);
  });

  it.each([
    ["signed by another key", async (now: number) => assertion(stranger, "signer", now, {}, { kid: es256.kid }), /signature_invalid/],
    [
      "expired",
      async (now: number) => assertion(es256, "signer", now, { iat: Math.floor(now / 1000) - 120, exp: Math.floor(now / 1000) - 31 }),
      /token_expired/,
    ],
    ["without exp", async (now: number) => assertion(es256, "signer", now, { exp: undefined }), /claim_missing/],
    ["without jti", async (now: number) => assertion(es256, "signer", now, { jti: undefined }), /claim_missing.*jti/],
    ["with an empty jti", async (now: number) => assertion(es256, "signer", now, { jti: "" }), /jti must be a non-empty string/],
    ["with a numeric jti", async (now: number) => assertion(es256, "signer", now, { jti: 7 }), /claim_invalid/],
    ["not yet valid (nbf)", async (now: number) => assertion(es256, "signer", now, { nbf: Math.floor(now / 1000) + 120 }), /token_not_yet_valid/],
    [
      "issued in the future",
      async (now: number) => assertion(es256, "signer", now, { iat: Math.floor(now / 1000) + 120, exp: Math.floor(now / 1000) + 180 }),
      /token_not_yet_valid/,
    ],
    [
      "valid too long (exp - iat)",
      async (now: number) => assertion(es256, "signer", now, { exp: Math.floor(now / 1000) + 301 }),
      /valid for 301 s \(exp - iat\).*maxAssertionLifetimeSeconds/,
    ],
    [
      "valid too long without iat (exp - now)",
      async (now: number) => assertion(es256, "signer", now, { iat: undefined, exp: Math.floor(now / 1000) + 400 }),
      /exp - now/,
    ],
    ["for another audience", async (now: number) => assertion(es256, "signer", now, { aud: API }), /audience_mismatch/],
    ["without aud", async (now: number) => assertion(es256, "signer", now, { aud: undefined }), /audience_mismatch/],
    ["with sub not the client", async (now: number) => assertion(es256, "signer", now, { sub: "someone" }), /unknown client_id "someone"/],
    ["with iss not the client", async (now: number) => assertion(es256, "signer", now, { iss: "someone" }), /issuer_untrusted/],
    ["typed as an access token", async (now: number) => assertion(es256, "signer", now, {}, { typ: "at+jwt" }), /type_not_allowed/],
    ["from an unknown client", async (now: number) => assertion(es256, "nobody", now), /unknown client_id "nobody"/],
    ["from a client without private_key_jwt", async (now: number) => assertion(es256, "secret-only", now), /may not use private_key_jwt/],
    ["not a JWT", async () => "not-a-jwt", /client_assertion is not a JWT/],
    ["naming no client", async (now: number) => assertion(es256, "signer", now, { iss: undefined, sub: undefined }), /names no client/],
  ])("refuses an assertion %s", async (_name, make, detail) => {
    const ctx = createContext(config());
    await expectAuthFailure(ctx, await make(ctx.now()), detail);
  });

  it("accepts an expired assertion within the clock tolerance", async () => {
    const ctx = createContext(config());
    const now = Math.floor(ctx.now() / 1000);
    await authenticateClient(tokenRequest(), params(await assertion(es256, "signer", ctx.now(), { iat: now - 100, exp: now - 20 })), ctx);
  });

  it("refuses a client_id parameter naming another client than the assertion", async () => {
    const ctx = createContext(config());
    await expectAuthFailure(ctx, await assertion(es256, "signer", ctx.now()), /issuer_untrusted/, { client_id: "remote" });
  });

  it.each([
    [{ client_assertion: "x.y.z" }, "client_assertion was sent without client_assertion_type"],
    [{ client_assertion_type: TYPE }, "the client_assertion parameter is missing"],
    [
      { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", client_assertion: "x" },
      `client_assertion_type must be ${TYPE} (RFC 7523 section 2.2)`,
    ],
  ])("refuses a malformed request: %j", async (values, message) => {
    const error = await refused(createContext(config()), new Map(Object.entries(values)));
    expect(error.error).toBe("invalid_request");
    expect(error.message).toBe(message);
  });
});

describe("metadata helpers", () => {
  it("lists the methods configured clients use, in a stable order", () => {
    const config = (clients: Record<string, unknown>[]) => resolveConfig({ issuer: ISSUER, clients });
    expect(clientAuthMethodsSupported(config([{ clientId: "a", secretHash: SECRET_HASH, audiences: [API], scopes: [] }]))).toEqual([
      "client_secret_basic",
      "client_secret_post",
    ]);
    expect(
      clientAuthMethodsSupported(
        config([
          { clientId: "a", jwksUri: "https://k.example.com/jwks", audiences: [API], scopes: [] },
          { clientId: "b", secretHash: SECRET_HASH, authMethods: ["client_secret_post"], audiences: [API], scopes: [] },
        ]),
      ),
    ).toEqual(["client_secret_post", "private_key_jwt"]);
  });

  it("offers asymmetric signing algorithms only (RFC 8414 §2: never none)", () => {
    expect(CLIENT_ASSERTION_SIGNING_ALGORITHMS).toContain("ES256");
    for (const alg of CLIENT_ASSERTION_SIGNING_ALGORITHMS) expect(alg).not.toMatch(/^(none|HS)/i);
  });
});
