import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { bearer, EDGE_HARNESSES, form, send, TENANT_CLAIM } from "./edges-harnesses.js";
import type { RunningApi } from "./harnesses.js";

// What the shared conformance table does not cover, per adapter, over real
// HTTP on 127.0.0.1 with real signed tokens: form-body tokens (RFC 6750
// §2.2), guards without authentication, combined guards, namespaced claims,
// and failures that are bugs rather than refusals.

const MISSING = { code: "token_missing", message: "No bearer token was presented." };
const INVALID_REQUEST = { code: "invalid_request", message: "The request presents its bearer token incorrectly." };
const DENIED = { code: "access_denied", message: "The token does not grant access to this resource." };
const scopeNeeded = (scope: string) => ({ code: "insufficient_scope", message: "The token does not grant the required scope.", scope });
const scopeChallenge = (scope: string) =>
  `Bearer realm="api", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="${scope}"`;
const INVALID_REQUEST_CHALLENGE = `Bearer realm="api", error="invalid_request", error_description="${INVALID_REQUEST.message}"`;

let key: TestKey;
let verifier: Verifier;
const tokens = { reader: "", admin: "", writer: "", tenantless: "" };

beforeAll(async () => {
  key = await generateKey("ES256", "edges-routes");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  tokens.reader = await signToken(key, accessClaims({ scope: "read:data", roles: ["user"], [TENANT_CLAIM]: "acme" }));
  tokens.admin = await signToken(key, accessClaims({ sub: "admin-1", scope: "read:data write:data", roles: ["admin"], [TENANT_CLAIM]: "globex" }));
  tokens.writer = await signToken(key, accessClaims({ sub: "writer-1", scope: "write:data" }));
  tokens.tenantless = await signToken(key, accessClaims({ sub: "nobody", tenant_id: "acme" }));
});

for (const harness of EDGE_HARNESSES) {
  describe(`adapter edges: ${harness.name}`, () => {
    describe("allowBodyToken: true, with a form body (RFC 6750 §2.2)", () => {
      let api: RunningApi;
      beforeAll(async () => {
        api = await harness.start({ verifier, allowBodyToken: true });
      });
      afterAll(async () => {
        await api.close();
      });

      it("accepts access_token in a form-encoded body, and the handler can still read the body", async () => {
        const { headers, body } = form({ access_token: tokens.reader, note: "hello" });
        const answer = await send(api.url, "POST", "/api/form", headers, body);
        expect(answer.body).toEqual({ sub: "user-1", note: "hello" });
        expect(answer.status).toBe(200);
      });

      it("refuses a body token together with an Authorization header as 400 invalid_request", async () => {
        const { headers, body } = form({ access_token: tokens.reader });
        const answer = await send(api.url, "POST", "/api/form", { ...headers, ...bearer(tokens.reader) }, body);
        expect(answer.body).toEqual(INVALID_REQUEST);
        expect(answer.status).toBe(400);
        expect(answer.challenge).toBe(INVALID_REQUEST_CHALLENGE);
      });

      it("refuses two access_token fields in one body as 400 invalid_request", async () => {
        const { headers, body } = form({ access_token: [tokens.reader, tokens.admin] });
        const answer = await send(api.url, "POST", "/api/form", headers, body);
        expect(answer.body).toEqual(INVALID_REQUEST);
        expect(answer.status).toBe(400);
      });

      it("refuses a body token beside a query token (query not allowed) as 400 invalid_request", async () => {
        const { headers, body } = form({ access_token: tokens.reader });
        const answer = await send(api.url, "POST", `/api/form?access_token=${tokens.reader}`, headers, body);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual(INVALID_REQUEST);
      });

      it("does not take access_token from a JSON body: only form-encoded bodies carry tokens (RFC 6750 §2.2)", async () => {
        const answer = await send(api.url, "POST", "/api/form", { "content-type": "application/json" }, JSON.stringify({ access_token: tokens.reader }));
        expect(answer.body).toEqual(MISSING);
        expect(answer.status).toBe(401);
      });

      it("a form body without access_token leaves the header as the one credential", async () => {
        const { headers, body } = form({ note: "plain" });
        const answer = await send(api.url, "POST", "/api/form", { ...headers, ...bearer(tokens.admin) }, body);
        expect(answer.body).toEqual({ sub: "admin-1", note: "plain" });
      });
    });

    describe("allowBodyToken off (the default)", () => {
      let api: RunningApi;
      beforeAll(async () => {
        api = await harness.start({ verifier });
      });
      afterAll(async () => {
        await api.close();
      });

      it("a form body's access_token is not a credential: without a header the request has no token (401)", async () => {
        const { headers, body } = form({ access_token: tokens.reader });
        const answer = await send(api.url, "POST", "/api/form", headers, body);
        expect(answer.body).toEqual(MISSING);
        expect(answer.status).toBe(401);
        expect(answer.challenge).toBe('Bearer realm="api"');
      });

      it("an application field named access_token (JSON or form) beside the header is the application's data, not a second credential", async () => {
        const json = await send(
          api.url,
          "POST",
          "/api/form",
          { "content-type": "application/json", ...bearer(tokens.reader) },
          JSON.stringify({ access_token: "gho_third-party-token", note: "store me" }),
        );
        expect(json.body).toEqual({ sub: "user-1", note: "store me" });
        expect(json.status).toBe(200);
        const { headers, body } = form({ access_token: "gho_third-party-token", note: "store me" });
        const formAnswer = await send(api.url, "POST", "/api/form", { ...headers, ...bearer(tokens.reader) }, body);
        expect(formAnswer.body).toEqual({ sub: "user-1", note: "store me" });
      });
    });

    describe("route guards", () => {
      let api: RunningApi;
      beforeAll(async () => {
        api = await harness.start({ verifier });
      });
      afterAll(async () => {
        await api.close();
      });

      if (harness.standaloneGuards) {
        it("a guard used without authenticate before it answers 401 token_missing with a bare challenge", async () => {
          const answer = await send(api.url, "GET", "/guard-only");
          expect(answer.body).toEqual(MISSING);
          expect(answer.status).toBe(401);
          expect(answer.challenge).toBe('Bearer realm="api"');
        });

        it("a guard used without authenticate never lets a request through, even one with a valid token (it verifies nothing)", async () => {
          const answer = await send(api.url, "GET", "/guard-only", bearer(tokens.admin));
          expect(answer.body).toEqual(MISSING);
          expect(answer.status).toBe(401);
        });
      }

      it("allOf: passes only when every guard passes; the first failure answers", async () => {
        expect(await send(api.url, "GET", "/api/all-of", bearer(tokens.admin))).toMatchObject({ status: 200, body: { sub: "admin-1" } });
        const reader = await send(api.url, "GET", "/api/all-of", bearer(tokens.reader));
        expect(reader).toMatchObject({ status: 403, body: DENIED, challenge: undefined });
        const writer = await send(api.url, "GET", "/api/all-of", bearer(tokens.writer));
        expect(writer).toMatchObject({ status: 403, body: scopeNeeded("read:data"), challenge: scopeChallenge("read:data") });
      });

      it("anyOf: one passing guard is enough; when all fail the scope failure wins, so the client learns which scope to ask for", async () => {
        expect(await send(api.url, "GET", "/api/any-of", bearer(tokens.admin))).toMatchObject({ status: 200, body: { sub: "admin-1" } });
        expect(await send(api.url, "GET", "/api/any-of", bearer(tokens.writer))).toMatchObject({ status: 200, body: { sub: "writer-1" } });
        const reader = await send(api.url, "GET", "/api/any-of", bearer(tokens.reader));
        expect(reader).toMatchObject({ status: 403, body: scopeNeeded("write:data"), challenge: scopeChallenge("write:data") });
      });

      it("several guards in one guard(...) call all apply", async () => {
        expect(await send(api.url, "GET", "/api/several", bearer(tokens.admin))).toMatchObject({ status: 200, body: { sub: "admin-1" } });
        expect(await send(api.url, "GET", "/api/several", bearer(tokens.reader))).toMatchObject({ status: 403, body: DENIED });
        expect(await send(api.url, "GET", "/api/several", bearer(tokens.writer))).toMatchObject({ status: 403, body: scopeNeeded("read:data") });
      });

      it("requireScopes answers 403 insufficient_scope naming the scope (RFC 6750 §3.1)", async () => {
        expect(await send(api.url, "GET", "/api/scoped", bearer(tokens.reader))).toMatchObject({
          status: 403,
          body: scopeNeeded("write:data"),
          challenge: scopeChallenge("write:data"),
        });
        expect((await send(api.url, "GET", "/api/scoped", bearer(tokens.writer))).status).toBe(200);
      });

      it('requireClaim reads a namespaced claim ("https://yourapp.com/tenant_id") as one name', async () => {
        expect(await send(api.url, "GET", "/api/tenant", bearer(tokens.reader))).toMatchObject({ status: 200, body: { sub: "user-1" } });
        expect(await send(api.url, "GET", "/api/tenant", bearer(tokens.admin))).toMatchObject({ status: 403, body: DENIED, challenge: undefined });
        // A claim of another name with the right value does not count.
        expect(await send(api.url, "GET", "/api/tenant", bearer(tokens.tenantless))).toMatchObject({ status: 403, body: DENIED });
      });

      it("a guard that throws something other than a TokenError reaches the framework's error handling (500), not a 401/403", async () => {
        const answer = await send(api.url, "GET", "/api/buggy-guard", bearer(tokens.admin), undefined, 3000);
        expect(answer.status).toBe(500);
        expect(answer.body).toEqual({ error: "a bug in a guard" });
      });
    });

    describe("a verifier that fails with something other than a TokenError", () => {
      let api: RunningApi;
      beforeAll(async () => {
        const broken: Verifier = { ...verifier, verify: () => Promise.reject(new RangeError("the token store is unreachable")) };
        api = await harness.start({ verifier: broken });
      });
      afterAll(async () => {
        await api.close();
      });

      it("passes the error to the framework's error handling (500) instead of hanging or answering 401", async () => {
        const answer = await send(api.url, "GET", "/api/protected", bearer(tokens.reader), undefined, 3000);
        expect(answer.status).toBe(500);
        expect(answer.body).toEqual({ error: "the token store is unreachable" });
        expect(answer.challenge).toBeUndefined();
      });

      it("still answers a missing token itself: the verifier is never called without a token", async () => {
        const answer = await send(api.url, "GET", "/api/protected");
        expect(answer).toMatchObject({ status: 401, body: MISSING });
      });
    });
  });
}
