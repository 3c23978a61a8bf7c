import Fastify from "fastify";
import { requireRoles, requireScopes, tokenward } from "../../../src/adapters/fastify.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// One verifier for the whole app: it caches keys and verified tokens.
const verifier = createVerifier(fromEnv());

export const app = Fastify();

// Public: registered outside the scopes that use the plugin.
app.get("/health", async () => ({ status: "ok" }));

// Optional: a scope of its own, where the plugin lets requests without a token through.
app.register(async (scope) => {
  await scope.register(tokenward, { verifier, optional: true });
  scope.get("/hello", async (request) => ({ hello: request.auth?.subject ?? "stranger" }));
});

// Protected: the plugin guards the scope that registers it, and nothing else.
app.register(
  async (api) => {
    await api.register(tokenward, { verifier });

    api.get("/me", async (request) => ({ sub: request.auth?.subject, scopes: request.auth?.scopes }));

    api.post("/data", { preHandler: requireScopes("write:data") }, async (request) => ({ sub: request.auth?.subject, saved: true }));

    api.get("/admin", { preHandler: requireRoles("admin") }, async (request) => ({ sub: request.auth?.subject, roles: request.auth?.roles }));
  },
  { prefix: "/api" },
);
