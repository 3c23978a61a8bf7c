import express from "express";
import { type AuthDecision, authenticate, protectedResourceMetadata } from "../../../src/adapters/express.js";
import { anyOf, createVerifier, fromEnv, requireClaim, requireScopes } from "../../../src/index.js";

const metadata = protectedResourceMetadata({ resource: "https://api.example.com", authorizationServers: ["https://auth.example.com"] });

// Decisions counted by outcome and code, for a metrics endpoint.
export const counts = new Map<string, number>();
function count(decision: AuthDecision): void {
  const key = `${decision.outcome} ${decision.code ?? decision.status}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export const app = express();
app.use(
  "/api",
  authenticate({
    verifier: createVerifier(fromEnv()), // the default when left out
    optional: false, // true: requests without a token pass, with req.auth undefined
    guards: [anyOf(requireScopes("read:data"), requireClaim("azp", "trusted-client"))], // checked on every request
    realm: "example", // Bearer realm="example"
    allowQueryToken: false, // ?access_token=... (RFC 6750 §2.3)
    allowBodyToken: false, // access_token in a form body the app parsed (RFC 6750 §2.2)
    resourceMetadata: metadata, // resource_metadata="..." in challenges (RFC 9728 §5.1)
    onDecision: count, // every decision: outcome, stage, code, status, hint, issuer, latencyMs, method, path
  }),
);
app.get("/api/me", (req, res) => {
  res.json({ sub: req.auth?.subject });
});
