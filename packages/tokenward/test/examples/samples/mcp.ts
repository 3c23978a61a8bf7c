// An MCP server's HTTP endpoint, protected per the MCP authorization spec:
// RFC 9728 metadata, and `resource_metadata` in every 401 so that clients find
// the authorization server.
import express from "express";
import { authenticate, protectedResource, protectedResourceMetadata, requireScopes } from "../../../src/adapters/express.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

export const metadata = protectedResourceMetadata({
  // The MCP server's canonical URL: clients ask for tokens with it as `resource` (RFC 8707).
  resource: "https://mcp.example.com/mcp",
  authorizationServers: ["https://auth.example.com"],
  scopesSupported: ["mcp:tools"],
  resourceName: "Example MCP server",
});
// metadata.path is "/.well-known/oauth-protected-resource/mcp" (RFC 9728 §3.1)
// metadata.url is "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

// Set TOKENWARD_AUDIENCE to the same URL: tokens minted for any other resource are refused.
const verifier = createVerifier(fromEnv());

export const app = express();
app.get(metadata.path, protectedResource(metadata));
app.use("/mcp", authenticate({ verifier, resourceMetadata: metadata }), requireScopes("mcp:tools"));
app.post("/mcp", express.json(), (req, res) => {
  // Hand the request to your MCP transport here; req.auth is the verified token.
  res.json({ jsonrpc: "2.0", id: req.body?.id ?? null, result: { sub: req.auth?.subject } });
});
