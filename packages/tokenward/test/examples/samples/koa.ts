import Koa from "koa";
import compose from "koa-compose";
import { type AuthState, authenticate, requireRoles, requireScopes } from "../../../src/adapters/koa.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// One verifier for the whole app: it caches keys and verified tokens.
const verifier = createVerifier(fromEnv());
const auth = authenticate({ verifier });

// AuthState types ctx.state.auth as VerifiedToken | undefined.
export const app = new Koa<AuthState>();

// Koa has no router of its own: this helper runs a chain of middleware for
// one method and path, as @koa/router's router.get(path, ...middleware) does.
function route(method: string, path: string, ...chain: Koa.Middleware<AuthState>[]): Koa.Middleware<AuthState> {
  const run = compose(chain);
  return (ctx, next) => (ctx.method === method && ctx.path === path ? run(ctx, next) : next());
}

// Public.
app.use(
  route("GET", "/health", (ctx) => {
    ctx.body = { status: "ok" };
  }),
);

// Optional: no token is fine; a bad token is still refused.
app.use(
  route("GET", "/hello", authenticate({ verifier, optional: true }), (ctx) => {
    ctx.body = { hello: ctx.state.auth?.subject ?? "stranger" };
  }),
);

// Protected: authenticate first, then the route's guards.
app.use(
  route("GET", "/api/me", auth, (ctx) => {
    ctx.body = { sub: ctx.state.auth?.subject, scopes: ctx.state.auth?.scopes };
  }),
);
app.use(
  route("POST", "/api/data", auth, requireScopes("write:data"), (ctx) => {
    ctx.body = { sub: ctx.state.auth?.subject, saved: true };
  }),
);
app.use(
  route("GET", "/api/admin", auth, requireRoles("admin"), (ctx) => {
    ctx.body = { sub: ctx.state.auth?.subject, roles: ctx.state.auth?.roles };
  }),
);
