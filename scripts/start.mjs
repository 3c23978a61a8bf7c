#!/usr/bin/env node
// `npm start`: the main job (CONTRACT.md). Installs and builds what is
// missing, then runs the issuer (examples/issuer/demo.json) at
// http://localhost:9000 and the protected example API
// (examples/express-api) at http://localhost:8000, both on loopback only,
// until SIGINT or SIGTERM. ISSUER_PORT and API_PORT move them.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureInstalled, isStale, npm, root, step } from "./lib/ensure.mjs";

const issuerPort = port("ISSUER_PORT", 9000);
const apiPort = port("API_PORT", 8000);

ensureInstalled();
if (isStale()) {
  process.stdout.write("building the packages (first start, or sources changed)...\n");
  step("build", npm, ["run", "build"], { quiet: true });
}

const { createIssuer, IssuerConfigError } = await import(pathToFileURL(join(root, "packages/issuer/dist/index.js")).href);

const configFile = join(root, "examples/issuer/demo.json");
const config = JSON.parse(readFileSync(configFile, "utf8"));
const issuerUrl = `http://localhost:${issuerPort}`;
const apiUrl = `http://localhost:${apiPort}`;
// The demo's URLs follow the ports: the issuer identifier and the audience are exact strings.
config.issuer = issuerUrl;
for (const client of config.clients) client.audiences = client.audiences.map((audience) => (audience === "http://localhost:8000" ? apiUrl : audience));

let issuer;
try {
  issuer = await createIssuer({
    ...config,
    baseDir: join(root, "examples/issuer"),
    onEvent: (event) => console.log(JSON.stringify({ service: "issuer", ...event })),
  });
} catch (error) {
  if (error instanceof IssuerConfigError) {
    console.error(`${configFile}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
  } else {
    console.error(`The issuer cannot start: ${error.message}`);
  }
  process.exit(2);
}

let server;
try {
  server = await issuer.listen({ port: issuerPort, hostname: "localhost" });
} catch (error) {
  console.error(
    error.code === "EADDRINUSE" ? `Port ${issuerPort} is in use: stop what uses it, or set ISSUER_PORT.` : `The issuer cannot listen: ${error.message}`,
  );
  await issuer.close();
  process.exit(1);
}

const api = spawn(process.execPath, [join(root, "examples/express-api/server.mjs")], {
  cwd: root,
  env: { ...process.env, PORT: String(apiPort), HOST: "127.0.0.1", TOKENWARD_ISSUER: issuerUrl, TOKENWARD_AUDIENCE: apiUrl },
  stdio: ["ignore", "inherit", "inherit"],
});

let stopping = false;
const apiExited = new Promise((resolve) => api.once("exit", resolve));
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (api.exitCode === null && api.signalCode === null) api.kill("SIGTERM");
  // Both are down when this process ends: whoever started it may reuse the ports at once.
  const apiDown = Promise.race([apiExited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  await Promise.all([server.close(), apiDown]);
  await issuer.close();
  process.exit(code);
}
api.once("exit", (code) => {
  if (!stopping) {
    console.error(`The example API stopped (exit ${code}); stopping the issuer.`);
    stop(1);
  }
});
process.once("SIGINT", () => stop(0));
process.once("SIGTERM", () => stop(0));

console.log(`
tokenward demo
  issuer        ${issuerUrl}   (metadata: ${issuerUrl}/.well-known/oauth-authorization-server)
  example API   ${apiUrl}   (GET /api/protected needs a token for audience ${apiUrl})
  demo client   client_id demo-service, client_secret demo-secret, scopes "read:data write:data"

Try it:
  TOKEN=$(curl -s -u demo-service:demo-secret -d grant_type=client_credentials \\
    -d audience=${apiUrl} ${issuerUrl}/oauth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
  curl -i ${apiUrl}/api/protected -H "Authorization: Bearer $TOKEN"

Ctrl-C stops both.
`);

function port(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`${name}=${text} is not a port number`);
    process.exit(2);
  }
  return value;
}
