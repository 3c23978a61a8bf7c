import express from "express";
import { authenticate, guard, requireClaim, requirePermissions, requireScopes } from "../../../src/adapters/express.js";
import { allOf, anyOf, createVerifier, fromEnv, requireClaimIncludes, requireRoles as role, requireScopes as scope } from "../../../src/index.js";

export const app = express();
app.use("/api", authenticate({ verifier: createVerifier(fromEnv()) }));

// All of the scopes (the default), or any one of them.
app.get("/api/reports", requireScopes(["reports:read", "reports:export"]), (_req, res) => {
  res.json({ reports: [] });
});
app.get("/api/summary", requireScopes(["reports:read", "admin"], { mode: "any" }), (_req, res) => {
  res.json({ summary: {} });
});

// Auth0 RBAC permissions.
app.delete("/api/items/:id", requirePermissions("delete:items"), (_req, res) => {
  res.json({ deleted: true });
});

// A claim equal to a value, or passing a predicate.
app.get("/api/tenant", requireClaim("tid", "tenant-1"), (_req, res) => {
  res.json({ tenant: "tenant-1" });
});
app.get(
  "/api/verified",
  requireClaim("email_verified", (value) => value === true),
  (_req, res) => {
    res.json({ verified: true });
  },
);

// Combined: admins, or members of the finance group with the billing scope.
app.post("/api/billing", guard(anyOf(role("admin"), allOf(scope("billing"), requireClaimIncludes("groups", "finance")))), (_req, res) => {
  res.json({ billed: true });
});
