import { createServer } from "node:http";
import express from "express";
import express4 from "express4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, requireScopes } from "../../src/adapters/express.js";
import type { AuthDecision } from "../../src/http/options.js";
import { createVerifier, type VerifiedToken, type Verifier } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { bearer, listen, send } from "./edges-harnesses.js";
import type { RunningApi } from "./harnesses.js";

// Express specifics, on Express 4 and 5: errors that are not refusals go to
// next(err) (Express 4 does not catch rejected promises, so anything else
// would hang the request), req.auth is typed, and decisions name the mounted
// path without the query string.

let key: TestKey;
let verifier: Verifier;
let reader: string;

beforeAll(async () => {
  key = await generateKey("ES256", "edges-express");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  reader = await signToken(key, accessClaims({ scope: "read:data" }));
});

const VERSIONS: readonly { name: string; create: () => express.Express; router: () => express.Router }[] = [
  { name: "Express 5", create: () => express(), router: () => express.Router() },
  { name: "Express 4", create: () => express4() as unknown as express.Express, router: () => express4.Router() },
];

for (const { name, create, router: createRouter } of VERSIONS) {
  describe(`express adapter on ${name}`, () => {
    let api: RunningApi;
    let bare: RunningApi;
    const handled: unknown[] = [];
    const decisions: AuthDecision[] = [];
    const failure = new RangeError("the session store is down");

    beforeAll(async () => {
      const rejecting: Verifier = { ...verifier, verify: () => Promise.reject(failure) };
      const throwing: Verifier = {
        ...verifier,
        verify: () => {
          throw failure;
        },
      };
      const app = create();
      app.get("/rejecting", authenticate({ verifier: rejecting }), (_req, res) => {
        res.json({ reached: true });
      });
      app.get("/throwing", authenticate({ verifier: throwing }), (_req, res) => {
        res.json({ reached: true });
      });
      const router = createRouter();
      router.use(authenticate({ verifier, allowQueryToken: true, onDecision: (decision) => decisions.push(decision) }));
      router.get("/me", requireScopes("read:data"), (req, res) => {
        // req.auth is typed by the adapter's declaration merging.
        const auth: VerifiedToken | undefined = req.auth;
        res.json({ sub: auth?.subject, scopes: auth?.scopes });
      });
      app.use("/v1", router);
      app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        handled.push(error);
        res.status(500).json({ error: "internal" });
      });
      api = await listen(createServer(app));

      // No error handler of the app's own: Express's final handler answers.
      const plain = create();
      plain.get("/rejecting", authenticate({ verifier: rejecting }), (_req, res) => {
        res.json({ reached: true });
      });
      bare = await listen(createServer(plain));
    });
    afterAll(async () => {
      await api.close();
      await bare.close();
    });

    it("passes a verifier rejection that is not a TokenError to next(err): the app's error handler answers 500", async () => {
      const answer = await send(api.url, "GET", "/rejecting", bearer(reader), undefined, 3000);
      expect(answer).toMatchObject({ status: 500, body: { error: "internal" } });
      expect(handled).toContain(failure);
    });

    it("passes a verifier that throws synchronously to next(err) too", async () => {
      const before = handled.length;
      const answer = await send(api.url, "GET", "/throwing", bearer(reader), undefined, 3000);
      expect(answer).toMatchObject({ status: 500, body: { error: "internal" } });
      expect(handled.length).toBe(before + 1);
      expect(handled.at(-1)).toBe(failure);
    });

    it("without an error handler, Express's own final handler answers 500: the request never hangs", async () => {
      const answer = await send(bare.url, "GET", "/rejecting", bearer(reader), undefined, 3000);
      expect(answer.status).toBe(500);
      expect(answer.challenge).toBeUndefined();
    });

    it("works in a mounted router: the guard sees req.auth", async () => {
      expect(await send(api.url, "GET", "/v1/me", bearer(reader))).toMatchObject({ status: 200, body: { sub: "user-1", scopes: ["read:data"] } });
    });

    it("decisions carry the full mounted path and never the query string, which may hold the token", async () => {
      decisions.length = 0;
      await send(api.url, "GET", `/v1/me?access_token=${reader}&x=1`);
      expect(decisions.map((decision) => [decision.stage, decision.path, decision.method])).toEqual([
        ["authentication", "/v1/me", "GET"],
        ["authorization", "/v1/me", "GET"],
      ]);
      expect(JSON.stringify(decisions)).not.toContain(reader.split(".")[2]);
    });
  });
}
