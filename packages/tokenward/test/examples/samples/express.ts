import express from "express";
import { authenticate, requireRoles, requireScopes } from "../../../src/adapters/express.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// One verifier for the whole app: it caches keys and verified tokens.
// fromEnv() reads TOKENWARD_ISSUER, TOKENWARD_AUDIENCE and TOKENWARD_JWKS_URI.
const verifier = createVerifier(fromEnv());

export const app = express();

// Public.
app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});

// Optional: no token is fine (req.auth is undefined); a bad token is still refused.
app.get("/hello", authenticate({ verifier, optional: true }), (req, res) => {
  res.json({ hello: req.auth?.subject ?? "stranger" });
});

// Every route under /api needs a valid token.
app.use("/api", authenticate({ verifier }));

app.get("/api/me", (req, res) => {
  res.json({ sub: req.auth?.subject, scopes: req.auth?.scopes });
});

// 403 insufficient_scope, with scope="write:data" in the challenge, unless the token has the scope.
app.post("/api/data", requireScopes("write:data"), (req, res) => {
  res.json({ sub: req.auth?.subject, saved: true });
});

// 403 access_denied unless the token has the role.
app.get("/api/admin", requireRoles("admin"), (req, res) => {
  res.json({ sub: req.auth?.subject, roles: req.auth?.roles });
});
