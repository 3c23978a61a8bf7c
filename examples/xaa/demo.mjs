#!/usr/bin/env node
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
// `npm run demo:xaa`: Cross App Access (draft-ietf-oauth-identity-assertion-authz-grant)
// on one machine. Starts three servers on 127.0.0.1:
//   - the identity provider: a tokenward issuer with the identityProvider role (idp.json);
//   - the notes authorization server: a tokenward issuer trusting it (as.json);
//   - the notes API: Hono protected by tokenward/hono, trusting the authorization server;
// then walks the flow step by step, printing every request (secrets masked)
// and every token decoded: sign-in -> ID token, token exchange -> ID-JAG,
// jwt-bearer grant -> access token, API call -> answer. Stops everything and
// exits 0, or with --keep leaves the servers running until Ctrl-C.
//
// Ports: free ones unless --idp-port / --as-port / --api-port (or IDP_PORT,
// AS_PORT, API_PORT) say otherwise. Keys: a fresh temporary directory,
// removed at the end. Installs and builds the packages when needed, as
// `npm start` does.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureInstalled, isStale, npm, root, step } from "../../scripts/lib/ensure.mjs";

const USAGE = `usage: npm run demo:xaa -- [--keep] [--idp-port PORT] [--as-port PORT] [--api-port PORT]
  --keep        leave the three servers running after the walk-through (Ctrl-C stops them)
  --*-port      listen there instead of on a free port (also IDP_PORT, AS_PORT, API_PORT)`;

const options = parseArguments(process.argv.slice(2));

ensureInstalled();
if (isStale()) {
  process.stdout.write("building the packages (first run, or sources changed)...\n");
  step("build", npm, ["run", "build"], { quiet: true });
}

const { createIssuer, IssuerConfigError } = await import(pathToFileURL(join(root, "packages/issuer/dist/index.js")).href);
const { createVerifier } = await import("tokenward");
const { authenticate, requireScopes } = await import("tokenward/hono");
const { Hono } = await import("hono");
const { serve } = await import("@hono/node-server");

// The demo's secrets: printed in idp.json and as.json as clients' names, never sent to a log.
const WIKI_IDP_SECRET = "wiki-idp-secret";
const WIKI_AS_SECRET = "wiki-as-secret";
const ALICE = { username: "alice", password: "alice-password" };
const REDIRECT_URI = "http://127.0.0.1:3000/callback";
// Printed masked: secrets as ***, tokens shortened (each token is then decoded in full).
const SECRETS = new Set(["client_secret", "password", "code", "code_verifier"]);
const TOKENS = new Set(["subject_token", "assertion", "id_token", "access_token"]);
const DEFAULTS = { idp: "http://127.0.0.1:9100", as: "http://127.0.0.1:9200", api: "http://127.0.0.1:8100" };

const ports = {
  idp: options.idpPort ?? (await freePort()),
  as: options.asPort ?? (await freePort()),
  api: options.apiPort ?? (await freePort()),
};
const urls = { idp: `http://127.0.0.1:${ports.idp}`, as: `http://127.0.0.1:${ports.as}`, api: `http://127.0.0.1:${ports.api}` };
const keyDir = await mkdtemp(join(tmpdir(), "tokenward-xaa-demo-"));
const running = [];

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const close of running.reverse()) await close().catch(() => {});
  await rm(keyDir, { recursive: true, force: true });
  process.exit(code);
}
process.once("SIGINT", () => stop(0));
process.once("SIGTERM", () => stop(0));

try {
  await startServers();
  await walkThrough();
} catch (error) {
  console.error(`\nThe demo stopped: ${error.message}`);
  await stop(1);
}
if (options.keep) {
  console.log(`
The servers keep running (Ctrl-C stops them):
  identity provider       ${urls.idp}   (sign in: ${urls.idp}/oauth/authorize, user alice / ${ALICE.password})
  authorization server    ${urls.as}   (metadata: ${urls.as}/.well-known/oauth-authorization-server)
  notes API               ${urls.api}/api/notes
  wiki-app's secrets      ${WIKI_IDP_SECRET} at the identity provider, ${WIKI_AS_SECRET} at the authorization server`);
} else {
  console.log("\nDone: the servers are stopped. `npm run demo:xaa -- --keep` leaves them running.");
  await stop(0);
}

// ---------------------------------------------------------------------------

/** A configuration file with the demo's default URLs moved to the ports in use. */
function loadConfig(name) {
  let text = readFileSync(join(root, "examples/xaa", name), "utf8");
  for (const role of ["idp", "as", "api"]) text = text.replaceAll(DEFAULTS[role], urls[role]);
  const config = JSON.parse(text);
  delete config.$schema;
  return config;
}

async function startIssuer(role, file) {
  const config = loadConfig(file);
  config.keys = { ...config.keys, directory: join(keyDir, role) };
  let issuer;
  try {
    issuer = await createIssuer({
      ...config,
      // Refusals carry the operator's reason (never a secret or a token): shown so the walk-through can point at them.
      onEvent: (event) => {
        if (event.type === "request_refused") console.log(dim(`      (${role} log) ${event.error}: ${event.detail ?? ""}`));
      },
    });
  } catch (error) {
    if (error instanceof IssuerConfigError) throw new Error(`examples/xaa/${file}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
    throw error;
  }
  const server = await listen(role, () => issuer.listen({ port: ports[role], hostname: "127.0.0.1" }));
  running.push(async () => {
    await server.close();
    await issuer.close();
  });
  return issuer;
}

async function startServers() {
  await startIssuer("idp", "idp.json");
  await startIssuer("as", "as.json");
  // The API trusts the authorization server's access tokens for itself (RFC 9068: typ at+jwt, aud = the API).
  const verifier = createVerifier({ issuers: [{ issuer: urls.as, audience: urls.api, types: ["at+jwt"] }] });
  const app = new Hono();
  app.use("/api/*", authenticate({ verifier }));
  app.get("/api/notes", requireScopes("notes.read"), (c) => {
    const auth = c.get("auth");
    return c.json({ notes: ["Cross App Access works"], sub: auth.subject, client_id: auth.claims.client_id, scopes: auth.scopes });
  });
  const api = await listen(
    "api",
    () =>
      new Promise((resolve, reject) => {
        const server = serve({ fetch: app.fetch, port: ports.api, hostname: "127.0.0.1" }, () => resolve(server));
        server.once("error", reject);
      }),
  );
  running.push(() => new Promise((resolve) => api.close(() => resolve())));
  console.log(`Cross App Access demo
  identity provider       ${urls.idp}
  authorization server    ${urls.as}
  notes API               ${urls.api}`);
}

async function listen(role, start) {
  try {
    return await start();
  } catch (error) {
    if (error.code === "EADDRINUSE") throw new Error(`port ${ports[role]} is in use: stop what uses it, or pick another with --${role}-port`);
    throw error;
  }
}

async function walkThrough() {
  // 1. Sign-in (OpenID Connect Core §3.1, code + PKCE, RFC 7636).
  stage(1, "Alice signs in to wiki-app at the identity provider: the ID token");
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${urls.idp}/oauth/authorize`);
  const query = {
    response_type: "code",
    client_id: "wiki-app",
    redirect_uri: REDIRECT_URI,
    scope: "openid email profile",
    state: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  };
  for (const [name, value] of Object.entries(query)) authorize.searchParams.set(name, value);
  showRequest("GET", `${urls.idp}/oauth/authorize`, query);
  const form = await fetch(authorize);
  const html = await form.text();
  expectStatus(form, 200, html);
  console.log(`  <- ${form.status}: the sign-in form`);
  const fields = { ...hiddenFields(html), username: ALICE.username, password: ALICE.password };
  showRequest("POST", `${urls.idp}/oauth/authorize`, fields);
  const signedIn = await fetch(`${urls.idp}/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  expectStatus(signedIn, 303, await signedIn.text());
  const callback = new URL(signedIn.headers.get("location"));
  console.log(
    `  <- 303 to ${callback.origin}${callback.pathname} with ${[...callback.searchParams.keys()].join(", ")} (RFC 9207: iss is checked by the client)`,
  );
  if (callback.searchParams.get("state") !== query.state || callback.searchParams.get("iss") !== urls.idp)
    throw new Error("the redirect's state or iss is wrong");

  const codeParams = { grant_type: "authorization_code", code: callback.searchParams.get("code"), redirect_uri: REDIRECT_URI, code_verifier: verifier };
  const signIn = await post(`${urls.idp}/oauth/token`, codeParams, { basic: ["wiki-app", WIKI_IDP_SECRET] });
  showToken("ID token", signIn.id_token);

  // 2. Token exchange (RFC 8693, draft §4.3): ID token -> ID-JAG for the authorization server.
  stage(2, "wiki-app exchanges the ID token at the identity provider: the ID-JAG");
  const exchange = await post(`${urls.idp}/oauth/token`, {
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
    subject_token: signIn.id_token,
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    audience: urls.as,
    resource: urls.api,
    scope: "notes.read",
    client_id: "wiki-app",
    client_secret: WIKI_IDP_SECRET,
  });
  showToken("ID-JAG", exchange.access_token);

  // 3. JWT bearer grant (RFC 7523, draft §4.4) at the authorization server, client_secret_post as the seed's playground sends it.
  stage(3, "wiki-app redeems the ID-JAG at the notes authorization server: the access token");
  const redeemParams = {
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion: exchange.access_token,
    client_id: "wiki-app",
    client_secret: WIKI_AS_SECRET,
  };
  const redeemed = await post(`${urls.as}/oauth/token`, redeemParams);
  showToken("access token", redeemed.access_token);

  // 4. The API.
  stage(4, "wiki-app calls the notes API: the API answer");
  showRequest("GET", `${urls.api}/api/notes`, {}, { Authorization: `Bearer ${short(redeemed.access_token)}` });
  const answer = await fetch(`${urls.api}/api/notes`, { headers: { authorization: `Bearer ${redeemed.access_token}` } });
  const body = await answer.text();
  expectStatus(answer, 200, body);
  console.log(`  <- ${answer.status} ${body}`);

  console.log(`\n${bold("What is refused")}`);
  const replay = await fetch(`${urls.as}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(redeemParams),
  });
  console.log(`  the same ID-JAG again (idJag.reuse "single-use"): ${replay.status} ${await replay.text()}`);
  const asAccessToken = await fetch(`${urls.api}/api/notes`, { headers: { authorization: `Bearer ${exchange.access_token}` } });
  console.log(`  the ID-JAG as an access token at the API: ${asAccessToken.status} ${await asAccessToken.text()}`);
}

// ---------------------------------------------------------------------------

function stage(number, title) {
  console.log(`\n${bold(`[${number}/4] ${title}`)}`);
}

/** A parameter as printed: secrets masked, tokens shortened (they are decoded in full below). */
function shown(name, value) {
  if (SECRETS.has(name)) return "***";
  if (TOKENS.has(name)) return short(value);
  return value;
}

function short(token) {
  return `${token.slice(0, 16)}... (${token.length} characters)`;
}

function showRequest(method, url, params, headers = {}) {
  console.log(`  -> ${method} ${url}`);
  for (const [name, value] of Object.entries(headers)) console.log(`       ${name}: ${value}`);
  for (const [name, value] of Object.entries(params)) console.log(`       ${name}=${shown(name, value)}`);
}

/** POSTs a form (Basic credentials when `basic` is given), prints both sides, and returns the JSON answer or throws. */
async function post(url, params, { basic } = {}) {
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const printed = {};
  if (basic !== undefined) {
    // RFC 6749 §2.3.1 and Appendix B: each part form-encoded, then base64.
    const encode = (value) => encodeURIComponent(value).replace(/%20/g, "+");
    headers.authorization = `Basic ${Buffer.from(`${encode(basic[0])}:${encode(basic[1])}`).toString("base64")}`;
    printed.Authorization = `Basic *** (client_secret_basic, client ${basic[0]})`;
  }
  showRequest("POST", url, params, printed);
  const response = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params) });
  const text = await response.text();
  expectStatus(response, 200, text);
  const json = JSON.parse(text);
  const summary = Object.fromEntries(Object.entries(json).map(([name, value]) => [name, typeof value === "string" ? shown(name, value) : value]));
  console.log(`  <- ${response.status} ${JSON.stringify(summary)}`);
  return json;
}

function expectStatus(response, status, body) {
  if (response.status !== status) throw new Error(`${response.url} answered ${response.status}, not ${status}: ${body.slice(0, 500)}`);
}

function showToken(name, token) {
  const [header, payload] = token
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  console.log(`\n  ${bold(name)} (decoded, not verified here: the next server verifies it)`);
  console.log(`    header  ${JSON.stringify(header)}`);
  console.log(`    payload ${JSON.stringify(payload, null, 2).replaceAll("\n", "\n            ")}`);
}

/** The sign-in form's hidden fields: the authorization request it carries back. */
function hiddenFields(html) {
  const decodeEntities = (text) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
  const fields = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[decodeEntities(match[1])] = decodeEntities(match[2]);
  return fields;
}

function bold(text) {
  return process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text;
}

function dim(text) {
  return process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function parseArguments(args) {
  const parsed = { keep: false, idpPort: envPort("IDP_PORT"), asPort: envPort("AS_PORT"), apiPort: envPort("API_PORT") };
  const names = { "--idp-port": "idpPort", "--as-port": "asPort", "--api-port": "apiPort" };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--keep") parsed.keep = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg in names) parsed[names[arg]] = portNumber(arg, args[++index]);
    else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return parsed;
}

function envPort(name) {
  const text = process.env[name];
  return text === undefined || text === "" ? undefined : portNumber(name, text);
}

function portNumber(name, text) {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1 || value > 65535)
    usageError(`${name} needs a port number (1-65535), not ${JSON.stringify(text ?? "")}`);
  return value;
}

function usageError(message) {
  console.error(`demo:xaa: ${message}\n${USAGE}`);
  process.exit(2);
}
