// Hono on Cloudflare Workers: variables arrive with each request (env), not
// in process.env, so the app is built on the first request and then reused.
import { Hono } from "hono";
import { type AuthEnv, authenticate, requireScopes } from "../../../src/adapters/hono.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

type Bindings = { TOKENWARD_ISSUER: string; TOKENWARD_AUDIENCE: string; TOKENWARD_JWKS_URI?: string };

function createApp(env: Bindings): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use("/api/*", authenticate({ verifier: createVerifier(fromEnv(env)) }));
  app.get("/api/me", requireScopes("read:data"), (c) => c.json({ sub: c.get("auth")?.subject }));
  return app;
}

let app: Hono<AuthEnv> | undefined;

export default {
  fetch(request: Request, env: Bindings): Response | Promise<Response> {
    app ??= createApp(env);
    return app.fetch(request, env);
  },
};
