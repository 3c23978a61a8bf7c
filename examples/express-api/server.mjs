#!/usr/bin/env node
// An Express API protected by tokenward.
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
import { createServer } from "node:http";
import express from "express";
import { ConfigError, createVerifier, fromEnv } from "tokenward";
import { authenticate, protectedResource, protectedResourceMetadata, requireRoles, requireScopes } from "tokenward/express";

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
    resourceName: "tokenward Express example",
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

const app = express();
app.disable("x-powered-by");

app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});
app.get(metadata.path, protectedResource(metadata));

// Everything under /api needs a valid bearer token; the guards below add the rest.
app.use("/api", authenticate({ verifier, resourceMetadata: metadata, onDecision: logDecision }));

app.get("/api/protected", (req, res) => {
  res.json({ message: "any valid token gets here", sub: req.auth.subject ?? null, scopes: req.auth.scopes });
});
app.get("/api/admin", requireRoles("admin"), (req, res) => {
  res.json({ message: "admins only", sub: req.auth.subject ?? null, roles: req.auth.roles });
});
// The guard runs before the body is parsed: a refused request is not read.
app.post("/api/data", requireScopes("write:data"), express.json({ limit: "16kb" }), (req, res) => {
  res.json({ message: "saved", sub: req.auth.subject ?? null, data: req.body ?? null });
});

app.use((_req, res) => {
  res.status(404).json({ code: "not_found" });
});
app.use((error, _req, res, _next) => {
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ code: status === 500 ? "internal_error" : "bad_request" });
});

const server = createServer(app);

// Before listening: whoever starts this process may signal it as soon as it prints its URL.
function stop() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests still running get two seconds to finish.
  setTimeout(() => server.closeAllConnections(), 2000).unref();
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

server.on("error", (error) => {
  console.error(`Cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`Express example API listening on http://${hostForUrl(host)}:${server.address().port}`);
});

function hostForUrl(name) {
  return name.includes(":") ? `[${name}]` : name;
}
