import { Hono } from "hono";
import { type AuthEnv, authenticate, requireRoles, requireScopes } from "../../../src/adapters/hono.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// One verifier for the whole app: it caches keys and verified tokens.
const verifier = createVerifier(fromEnv());

// AuthEnv types c.get("auth") as VerifiedToken | undefined.
export const app = new Hono<AuthEnv>();

// Public.
app.get("/health", (c) => c.json({ status: "ok" }));

// Optional: no token is fine; a bad token is still refused.
app.get("/hello", authenticate({ verifier, optional: true }), (c) => c.json({ hello: c.get("auth")?.subject ?? "stranger" }));

// Every route under /api needs a valid token.
app.use("/api/*", authenticate({ verifier }));

app.get("/api/me", (c) => c.json({ sub: c.get("auth")?.subject, scopes: c.get("auth")?.scopes }));

app.post("/api/data", requireScopes("write:data"), (c) => c.json({ sub: c.get("auth")?.subject, saved: true }));

app.get("/api/admin", requireRoles("admin"), (c) => c.json({ sub: c.get("auth")?.subject, roles: c.get("auth")?.roles }));
