import express from "express";
import type { Verifier } from "tokenward";
import { authenticate, requireScopes } from "tokenward/express";

// Your API, built around the verifier it is given: production passes one for the real issuer.
export function createApp(verifier: Verifier) {
  const app = express();
  app.use(authenticate({ verifier }));
  app.get("/orders", requireScopes("read:orders"), (req, res) => {
    res.json({ for: req.auth?.subject });
  });
  return app;
}
