import { Hono, type MiddlewareHandler } from "hono";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type AuthEnv, authenticate, guard, requireScopes } from "../../src/adapters/hono.js";
import { requireClaim } from "../../src/authz/guards.js";
import { createVerifier, type VerifiedToken, type Verifier } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { bearer, send, serveFetch } from "./edges-harnesses.js";
import type { RunningApi } from "./harnesses.js";

// Hono specifics: c.get("auth") is typed through AuthEnv (this file must
// type-check: `tsc` runs over the tests), sub-apps mounted with route(), and
// the body stays readable after authentication parsed a form.

let key: TestKey;
let verifier: Verifier;
let reader: string;

beforeAll(async () => {
  key = await generateKey("ES256", "edges-hono");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  reader = await signToken(key, accessClaims({ scope: "read:data", "https://yourapp.com/tenant_id": "acme" }));
});

describe("hono: types", () => {
  it("c.get('auth') is VerifiedToken | undefined on a Hono<AuthEnv>", () => {
    const app = new Hono<AuthEnv>();
    app.get("/typed", authenticate({ verifier }), (c) => {
      const auth: VerifiedToken | undefined = c.get("auth");
      expectTypeOf(c.get("auth")).toEqualTypeOf<VerifiedToken | undefined>();
      // @ts-expect-error auth may be undefined (an optional route without a token): it must be checked before use
      const strict: VerifiedToken = c.get("auth");
      return c.json({ sub: auth?.subject ?? strict?.subject ?? null });
    });
    expectTypeOf(authenticate<AuthEnv>).returns.toEqualTypeOf<MiddlewareHandler<AuthEnv>>();
    expectTypeOf(guard).returns.toEqualTypeOf<MiddlewareHandler<AuthEnv>>();
    expectTypeOf(requireScopes).returns.toEqualTypeOf<MiddlewareHandler<AuthEnv>>();
    expect(app.routes.map((route) => route.path)).toContain("/typed");
  });

  it("keeps an app's own bindings typed: authenticate<Env>() works inside a handler that has c.env (Workers)", () => {
    type Bindings = { Bindings: { ISSUER: string } };
    const app = new Hono<Bindings & AuthEnv>();
    app.use("*", async (c, next) => {
      expectTypeOf(c.env.ISSUER).toEqualTypeOf<string>();
      return authenticate<Bindings>({ verifier })(c, next);
    });
    app.get("/env", (c) => c.json({ sub: c.get("auth")?.subject ?? null, issuer: c.env.ISSUER }));
    expect(app.routes.map((route) => route.path)).toContain("/env");
  });
});

describe("hono: over real HTTP", () => {
  let api: RunningApi;

  beforeAll(async () => {
    const app = new Hono<AuthEnv>();
    const tenants = new Hono<AuthEnv>();
    tenants.use("*", authenticate({ verifier, realm: "tenants" }));
    tenants.get("/mine", guard(requireClaim("https://yourapp.com/tenant_id", "acme")), (c) => {
      const auth = c.get("auth");
      return c.json({ sub: auth?.subject ?? null, tenant: auth?.claims["https://yourapp.com/tenant_id"] ?? null });
    });
    tenants.get("/write", requireScopes("write:data"), (c) => c.json({ ok: true }));
    app.route("/tenants", tenants);
    app.get("/public", (c) => c.json({ auth: c.get("auth") === undefined ? "undefined" : "set" }));
    api = await serveFetch(app.fetch);
  });
  afterAll(async () => {
    await api.close();
  });

  it("a sub-app mounted with route() authenticates its routes and hands the verified claims to the handler", async () => {
    expect(await send(api.url, "GET", "/tenants/mine", bearer(reader))).toMatchObject({ status: 200, body: { sub: "user-1", tenant: "acme" } });
    expect(await send(api.url, "GET", "/tenants/mine")).toMatchObject({ status: 401, challenge: 'Bearer realm="tenants"' });
  });

  it("the sub-app's guards answer with the sub-app's realm", async () => {
    const answer = await send(api.url, "GET", "/tenants/write", bearer(reader));
    expect(answer.status).toBe(403);
    expect(answer.challenge).toBe(
      'Bearer realm="tenants", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="write:data"',
    );
  });

  it("routes of the parent app are untouched: auth is unset there", async () => {
    expect(await send(api.url, "GET", "/public", bearer(reader))).toMatchObject({ status: 200, body: { auth: "undefined" } });
  });
});
