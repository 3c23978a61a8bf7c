import { createServer } from "node:http";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type AuthState, authenticate, requireRoles } from "../../src/adapters/koa.js";
import { createVerifier, type VerifiedToken } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";
import { bearer, listen, send } from "./edges-harnesses.js";
import type { RunningApi } from "./harnesses.js";

// Koa specifics: ctx.state.auth typed through AuthState (this file must
// type-check), authentication mounted with app.use() for every route, and
// errors of downstream handlers left to Koa.

let api: RunningApi;
let reader: string;
let admin: string;
const errors: unknown[] = [];

beforeAll(async () => {
  const key = await generateKey("ES256", "edges-koa");
  const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  reader = await signToken(key, accessClaims({ roles: ["user"] }));
  admin = await signToken(key, accessClaims({ sub: "admin-1", roles: ["admin"] }));
  const app = new Koa<AuthState>();
  app.silent = true;
  app.on("error", (error: unknown) => errors.push(error));
  app.use(authenticate({ verifier, optional: true }));
  const admins = requireRoles("admin");
  app.use(async (ctx, next) => {
    const auth: VerifiedToken | undefined = ctx.state.auth;
    expectTypeOf(ctx.state.auth).toEqualTypeOf<VerifiedToken | undefined>();
    if (ctx.path === "/boom") throw new Error("handler bug");
    if (ctx.path === "/admin")
      return admins(ctx, async () => {
        ctx.body = { admin: auth?.subject ?? null };
      });
    ctx.body = { sub: auth?.subject ?? null };
    await next();
  });
  api = await listen(createServer(app.callback()));
});
afterAll(async () => {
  await api.close();
});

describe("koa: authenticate mounted for every route", () => {
  it("puts the verified token on ctx.state.auth, and leaves it unset on an optional request without a token", async () => {
    expect(await send(api.url, "GET", "/anything", bearer(reader))).toMatchObject({ status: 200, body: { sub: "user-1" } });
    expect(await send(api.url, "GET", "/anything")).toMatchObject({ status: 200, body: { sub: null } });
  });

  it("guards called inside a handler see the same token", async () => {
    expect(await send(api.url, "GET", "/admin", bearer(admin))).toMatchObject({ status: 200, body: { admin: "admin-1" } });
    expect(await send(api.url, "GET", "/admin", bearer(reader))).toMatchObject({ status: 403, body: { code: "access_denied" } });
    expect(await send(api.url, "GET", "/admin")).toMatchObject({ status: 401, body: { code: "token_missing" }, challenge: 'Bearer realm="api"' });
  });

  it("an error of a downstream handler is Koa's to answer (500), not turned into an authentication refusal", async () => {
    const answer = await send(api.url, "GET", "/boom", bearer(reader));
    expect(answer.status).toBe(500);
    expect(answer.challenge).toBeUndefined();
    expect(errors.some((error) => (error as Error).message === "handler bug")).toBe(true);
  });
});
