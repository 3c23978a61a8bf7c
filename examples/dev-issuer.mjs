#!/usr/bin/env node
// A development token minter for trying the example APIs on your machine.
//
// This is a DEVELOPMENT HELPER, NOT AN AUTHORIZATION SERVER: it has no
// clients, no grants, no token endpoint, no consent and no revocation. At
// start it makes a fresh ES256 key pair (kept in memory only), publishes the
// public key as a JWKS with a discovery document on 127.0.0.1, signs a few
// fixed access tokens (RFC 9068 shape) and prints them with the environment
// variables that point the example APIs at it. Never point a deployed API at
// it: anyone who can run it can mint tokens.
//
//   node examples/dev-issuer.mjs
//
// DEV_ISSUER_PORT moves it (default 9100; 0 picks a free port).
// TOKENWARD_AUDIENCE sets the tokens' `aud` (default http://localhost:8000).
import { createServer } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

const HOST = "127.0.0.1";
const port = Number(process.env.DEV_ISSUER_PORT ?? 9100);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`DEV_ISSUER_PORT=${process.env.DEV_ISSUER_PORT} is not a port number`);
  process.exit(2);
}
const audience = process.env.TOKENWARD_AUDIENCE?.split(",")[0]?.trim() || "http://localhost:8000";
const LIFETIME_SECONDS = 3600;
const KID = `dev-${Date.now().toString(36)}`;

const { privateKey, publicKey } = await generateKeyPair("ES256");
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: "ES256", use: "sig" }] };

const routes = new Map();
const server = createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const body = request.method === "GET" || request.method === "HEAD" ? routes.get(path) : undefined;
  if (body === undefined) {
    response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
    return;
  }
  response.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300" }).end(JSON.stringify(body));
});
// Before listening: whoever starts this process may signal it as soon as it prints its URL.
function stop() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
server.on("error", (error) => {
  console.error(`dev issuer: cannot listen on ${HOST}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, HOST);
await new Promise((resolve) => server.once("listening", resolve));

const issuer = `http://${HOST}:${server.address().port}`;
const jwksUri = `${issuer}/jwks.json`;
routes.set("/jwks.json", jwks);
// OpenID Connect Discovery 1.0 §3, trimmed to what a resource server reads:
// the issuer (compared exactly) and where the keys are.
routes.set("/.well-known/openid-configuration", {
  issuer,
  jwks_uri: jwksUri,
  scopes_supported: ["read:data", "write:data"],
  id_token_signing_alg_values_supported: ["ES256"],
});

const now = Math.floor(Date.now() / 1000);
/** An RFC 9068 access token: typ at+jwt, iss, aud, sub, client_id, iat, exp, jti. */
function mint(sub, claims, { iat = now, exp = now + LIFETIME_SECONDS } = {}) {
  return new SignJWT({ client_id: "dev-client", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: KID, typ: "at+jwt" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(privateKey);
}

const tokens = [
  ["READER", "sub reader, scope read:data", await mint("reader", { scope: "read:data" })],
  ["WRITER", "sub writer, scope read:data write:data", await mint("writer", { scope: "read:data write:data" })],
  ["ADMIN", "sub admin, scope read:data, role admin", await mint("admin", { scope: "read:data", roles: ["admin"] })],
  ["EXPIRED", "sub reader, expired an hour ago", await mint("reader", { scope: "read:data" }, { iat: now - 7200, exp: now - 3600 })],
];

const env = `TOKENWARD_ISSUER=${issuer} TOKENWARD_AUDIENCE=${audience} TOKENWARD_JWKS_URI=${jwksUri}`;
console.log(`tokenward dev issuer at ${issuer} (a development helper, not an authorization server)
  discovery  ${issuer}/.well-known/openid-configuration
  jwks       ${jwksUri}

Start an example API against it, in another terminal at the repository root:

  ${env} npm run example:express
  ${env} npm run example:fastify

Tokens for audience ${audience}, valid until ${new Date((now + LIFETIME_SECONDS) * 1000).toISOString()}; paste them into that shell:

${tokens.map(([name, what, token]) => `  export ${name}=${token}  # ${what}`).join("\n")}

Then, with the API on its default port:

  curl -i http://127.0.0.1:8000/api/protected -H "Authorization: Bearer $READER"

Stop with Ctrl-C.`);
