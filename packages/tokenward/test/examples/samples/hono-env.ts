// Your own bindings and variables next to tokenward's.
import { Hono } from "hono";
import { type AuthEnv, authenticate } from "../../../src/adapters/hono.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

type Env = {
  Bindings: { REGION?: string };
  Variables: AuthEnv["Variables"] & { requestId: string };
};

export const app = new Hono<Env>();
app.use(async (c, next) => {
  c.set("requestId", crypto.randomUUID());
  await next();
});
app.use("/api/*", authenticate({ verifier: createVerifier(fromEnv()) }));
app.get("/api/me", (c) => c.json({ sub: c.get("auth")?.subject, requestId: c.get("requestId") }));
