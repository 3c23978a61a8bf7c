import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/config-error.js";
import { protectedResourceMetadata } from "../../src/http/resource-metadata.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { scopedEnv } from "../helpers/scoped-env.js";
import { bearer, send } from "./edges-harnesses.js";
import { HARNESSES, type RunningApi } from "./harnesses.js";

// Options of the authentication middleware, through each adapter of the
// shared conformance harness, over real HTTP on 127.0.0.1.

const metadata = protectedResourceMetadata({ resource: "https://api.example.com" });
const MISSING = { code: "token_missing", message: "No bearer token was presented." };
const INVALID_REQUEST = { code: "invalid_request", message: "The request presents its bearer token incorrectly." };
const EXPIRED = { code: "token_expired", message: "The token has expired." };
const SCOPE = { code: "insufficient_scope", message: "The token does not grant the required scope.", scope: "write:data" };
const DENIED = { code: "access_denied", message: "The token does not grant access to this resource." };

let key: TestKey;
let verifier: Verifier;
let jwks: TestServer;
const tokens: Record<"reader" | "admin" | "expired", string> = { reader: "", admin: "", expired: "" };

beforeAll(async () => {
  key = await generateKey("ES256", "edges-options");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  jwks = await startServer();
  jwks.json("/jwks", jwksOf(key));
  const now = Math.floor(Date.now() / 1000);
  tokens.reader = await signToken(key, accessClaims({ scope: "read:data", roles: ["user"] }));
  tokens.admin = await signToken(key, accessClaims({ sub: "admin-1", scope: "read:data write:data", roles: ["admin"] }));
  tokens.expired = await signToken(key, accessClaims({ iat: now - 600, exp: now - 300 }));
});
afterAll(async () => {
  await jwks.close();
});

for (const harness of HARNESSES) {
  describe(`adapter options: ${harness.name}`, () => {
    describe("allowQueryToken: true", () => {
      let api: RunningApi;
      beforeAll(async () => {
        api = await harness.start({ verifier, metadata, allowQueryToken: true });
      });
      afterAll(async () => {
        await api.close();
      });

      it("accepts a token in ?access_token= (RFC 6750 §2.3)", async () => {
        const answer = await send(api.url, "GET", `/api/protected?access_token=${tokens.reader}`);
        expect(answer.body).toEqual({ sub: "user-1" });
        expect(answer.status).toBe(200);
      });

      it("still refuses a header and a query token together as 400 invalid_request (RFC 6750 §3.1)", async () => {
        const answer = await send(api.url, "GET", `/api/protected?access_token=${tokens.reader}`, bearer(tokens.reader));
        expect(answer.body).toEqual(INVALID_REQUEST);
        expect(answer.status).toBe(400);
        expect(answer.challenge).toBe(`Bearer realm="api", error="invalid_request", error_description="${INVALID_REQUEST.message}"`);
      });

      it("refuses two access_token query parameters as 400 invalid_request", async () => {
        const answer = await send(api.url, "GET", `/api/protected?access_token=${tokens.reader}&access_token=${tokens.admin}`);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual(INVALID_REQUEST);
      });

      it("verifies a query token like any other: an expired one is 401 invalid_token", async () => {
        const answer = await send(api.url, "GET", `/api/protected?access_token=${tokens.expired}`);
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual(EXPIRED);
      });

      it("route guards see the query token's claims", async () => {
        expect((await send(api.url, "GET", `/api/admin?access_token=${tokens.admin}`)).status).toBe(200);
        expect((await send(api.url, "GET", `/api/admin?access_token=${tokens.reader}`)).body).toEqual(DENIED);
      });
    });

    describe("a custom realm", () => {
      const realm = "Example API (edges), v2";
      let api: RunningApi;
      beforeAll(async () => {
        api = await harness.start({ verifier, metadata, realm });
      });
      afterAll(async () => {
        await api.close();
      });

      it("names the realm in the bare challenge for a missing token", async () => {
        const answer = await send(api.url, "GET", "/api/protected");
        expect(answer.status).toBe(401);
        expect(answer.challenge).toBe(`Bearer realm="${realm}"`);
        expect(answer.body).toEqual(MISSING);
      });

      it("names the realm in invalid_token and invalid_request challenges", async () => {
        const expired = await send(api.url, "GET", "/api/protected", bearer(tokens.expired));
        expect(expired.challenge).toBe(`Bearer realm="${realm}", error="invalid_token", error_description="${EXPIRED.message}"`);
        const twice = await send(api.url, "GET", "/api/protected", { authorization: [`Bearer ${tokens.reader}`, `Bearer ${tokens.reader}`] });
        expect(twice.challenge).toBe(`Bearer realm="${realm}", error="invalid_request", error_description="${INVALID_REQUEST.message}"`);
      });

      it("route guards after authenticate answer with the same realm (insufficient_scope)", async () => {
        const answer = await send(api.url, "POST", "/api/data", bearer(tokens.reader));
        expect(answer.status).toBe(403);
        expect(answer.challenge).toBe(`Bearer realm="${realm}", error="insufficient_scope", error_description="${SCOPE.message}", scope="write:data"`);
        expect(answer.body).toEqual(SCOPE);
      });
    });

    describe("an onDecision hook that throws", () => {
      let api: RunningApi;
      let calls = 0;
      beforeAll(async () => {
        api = await harness.start({
          verifier,
          metadata,
          onDecision: () => {
            calls += 1;
            throw new Error("the metrics backend is down");
          },
        });
      });
      afterAll(async () => {
        await api.close();
      });

      it("changes no answer: acceptance, 401, 403 and the optional route are answered as without it", async () => {
        expect(await send(api.url, "GET", "/api/protected", bearer(tokens.reader))).toMatchObject({ status: 200, body: { sub: "user-1" } });
        expect(await send(api.url, "GET", "/api/protected", bearer(tokens.expired))).toMatchObject({ status: 401, body: EXPIRED });
        expect(await send(api.url, "GET", "/api/protected")).toMatchObject({ status: 401, body: MISSING, challenge: 'Bearer realm="api"' });
        expect(await send(api.url, "POST", "/api/data", bearer(tokens.reader))).toMatchObject({ status: 403, body: SCOPE });
        expect(await send(api.url, "GET", "/api/admin", bearer(tokens.admin))).toMatchObject({ status: 200, body: { sub: "admin-1" } });
        expect(await send(api.url, "GET", "/optional")).toMatchObject({ status: 200, body: { sub: null } });
        expect(calls).toBeGreaterThanOrEqual(6);
      });
    });

    describe("without a verifier: built from the environment", () => {
      it("builds the verifier from TOKENWARD_ISSUER, TOKENWARD_AUDIENCE and TOKENWARD_JWKS_URI when the app starts", async () => {
        const restore = scopedEnv({ TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: AUDIENCE, TOKENWARD_JWKS_URI: `${jwks.origin}/jwks` });
        let api: RunningApi;
        try {
          api = await harness.start({ metadata });
        } finally {
          // Read once at start-up: the requests below do not need the environment any more.
          restore();
        }
        try {
          expect(await send(api.url, "GET", "/api/protected", bearer(tokens.reader))).toMatchObject({ status: 200, body: { sub: "user-1" } });
          expect(await send(api.url, "GET", "/api/protected", bearer(tokens.expired))).toMatchObject({ status: 401, body: EXPIRED });
          expect(await send(api.url, "GET", "/api/admin", bearer(tokens.admin))).toMatchObject({ status: 200, body: { sub: "admin-1" } });
        } finally {
          await api.close();
        }
      });

      it("a missing environment is a ConfigError when the app is set up, not at the first request", async () => {
        const restore = scopedEnv({ TOKENWARD_AUDIENCE: AUDIENCE });
        try {
          const failure = await harness.start({ metadata }).then(
            async (api) => {
              await api.close();
              return undefined;
            },
            (error: unknown) => error,
          );
          expect(ConfigError.is(failure)).toBe(true);
          expect((failure as ConfigError).field).toBe("TOKENWARD_ISSUER");
        } finally {
          restore();
        }
      });

      it("a bad option is a ConfigError when the app is set up (a realm with a quote)", async () => {
        const failure = await harness.start({ verifier, metadata, realm: 'my "api"' }).then(
          async (api) => {
            await api.close();
            return undefined;
          },
          (error: unknown) => error,
        );
        expect(ConfigError.is(failure)).toBe(true);
        expect((failure as ConfigError).field).toBe("realm");
      });
    });
  });
}
