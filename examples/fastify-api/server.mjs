#!/usr/bin/env node
// A Fastify API protected by tokenward.
//
//   GET  /health                                  public
//   GET  /.well-known/oauth-protected-resource    RFC 9728 metadata, public
//   GET  /api/protected                           any valid token
//   GET  /api/admin                               role "admin"
//   POST /api/data                                scope "write:data"
//
// Configured from the environment (fromEnv): TOKENWARD_ISSUER and
// TOKENWARD_AUDIENCE, TOKENWARD_JWKS_URI optional (keys are discovered from
// the issuer without it). PORT (default 8000) and HOST (default 127.0.0.1)
// move it; RESOURCE_URL sets the RFC 9728 resource (default: the audience
// when it is an http(s) URL). See examples/README.md.
import Fastify from "fastify";
import { ConfigError, createVerifier, fromEnv } from "tokenward";
import { protectedResource, protectedResourceMetadata, requireRoles, requireScopes, tokenward } from "tokenward/fastify";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT=${process.env.PORT} is not a port number`);
  process.exit(2);
}

let verifier;
let metadata;
try {
  const options = fromEnv(); // TOKENWARD_ISSUER, TOKENWARD_AUDIENCE, TOKENWARD_JWKS_URI
  verifier = createVerifier(options);
  const audiences = options.issuers.flatMap((policy) => policy.audience);
  metadata = protectedResourceMetadata({
    // RFC 9728 §2: the identifier clients ask tokens for (RFC 8707), i.e. this API's audience.
    resource: process.env.RESOURCE_URL || audiences.find((audience) => /^https?:\/\//.test(audience)) || `http://${hostForUrl(host)}:${port}`,
    authorizationServers: options.issuers.map((policy) => policy.issuer),
    scopesSupported: ["read:data", "write:data"],
    resourceName: "tokenward Fastify example",
  });
} catch (error) {
  if (!ConfigError.is(error)) throw error;
  console.error(`Configuration error: ${error.message}\nSee examples/README.md for the variables to set.`);
  process.exit(2);
}

/** One JSON line per decision: what happened, never the token. */
function logDecision(decision) {
  console.log(
    JSON.stringify({
      event: "auth",
      outcome: decision.outcome,
      stage: decision.stage,
      code: decision.code ?? null,
      status: decision.status,
      issuer: decision.issuer ?? null,
      latencyMs: Math.round(decision.latencyMs * 1000) / 1000,
      method: decision.method,
      path: decision.path,
      hint: decision.hint,
    }),
  );
}

const app = Fastify({ bodyLimit: 16 * 1024 });

// Public routes live outside the protected scope.
app.get("/health", async () => ({ status: "ok" }));
app.get(metadata.path, protectedResource(metadata));

// The plugin protects the scope that registers it, and only that scope
// (Fastify encapsulation): every route under /api needs a valid token.
app.register(
  async (api) => {
    await api.register(tokenward, { verifier, resourceMetadata: metadata, onDecision: logDecision });
    api.get("/protected", async (request) => ({ message: "any valid token gets here", sub: request.auth.subject ?? null, scopes: request.auth.scopes }));
    api.get("/admin", { preHandler: requireRoles("admin") }, async (request) => ({
      message: "admins only",
      sub: request.auth.subject ?? null,
      roles: request.auth.roles,
    }));
    api.post("/data", { preHandler: requireScopes("write:data") }, async (request) => ({
      message: "saved",
      sub: request.auth.subject ?? null,
      data: request.body ?? null,
    }));
  },
  { prefix: "/api" },
);

// Before listening: whoever starts this process may signal it as soon as it prints its URL.
async function stop() {
  // Stops accepting connections, closes idle keep-alive ones, waits for requests in flight.
  await app.close();
  process.exit(0);
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

try {
  await app.listen({ port, host });
} catch (error) {
  console.error(`Cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
}
console.log(`Fastify example API listening on http://${hostForUrl(host)}:${app.server.address().port}`);

function hostForUrl(name) {
  return name.includes(":") ? `[${name}]` : name;
}
