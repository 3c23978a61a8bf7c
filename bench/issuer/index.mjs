// `npm run bench` (issuer part): tokens issued per second per core, against
// the raw signing rate of the same algorithm (the ceiling: one node:crypto
// sign of a token-sized input with the same kind of key), measured side by
// side in one run. Three rows per algorithm:
//   raw sign      crypto.sign over header.payload, nothing else;
//   mint          the issuer's signing path: claims built, JSON, base64url, sign (issuer.keys.sign);
//   endpoint      a whole client_credentials request through issuer.fetch:
//                 form parsing, client authentication (Basic, secret verified
//                 once then cached), scope and audience, claims, signing, JSON answer;
//   fetch floor   the same Request in and a token-sized JSON Response out through a
//                 Hono app whose handler does nothing else: what the web-standard
//                 transport costs before any OAuth work. "endpoint without floor"
//                 is the endpoint's own time per token (1/endpoint - 1/floor).
// Writes bench/ISSUER-RESULTS.md. `--quick` runs shorter and saves nothing.
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createIssuer, hashSecret } from "@tokenward/issuer";
import { Hono } from "hono";
import { opsPerSecond } from "../lib/measure.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const timing = quick ? { roundMs: 200, rounds: 3, warmupMs: 100 } : { roundMs: 500, rounds: 5, warmupMs: 300 };
const out = [];
const log = (line = "") => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
const fmt = (n) => Math.round(n).toLocaleString("en-US");

const cpus = os.cpus();
log("# tokenward issuer benchmarks");
log();
log(`${new Date().toISOString()} · Node ${process.version} · ${os.platform()} ${os.arch()} · ${cpus[0]?.model ?? "cpu"} × ${cpus.length}`);
log(
  `one request at a time on one core, each awaited; median of ${timing.rounds} rounds of ${timing.roundMs} ms. Aim: the endpoint at >= 0.7 of raw signing for ES256 and EdDSA.`,
);
log();
log("| algorithm | raw sign /s | mint /s | mint / raw | token endpoint /s | endpoint / raw | endpoint without fetch floor / raw |");
log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");

const secret = "bench-secret";
const secretHash = await hashSecret(secret);
const API = "https://api.example.test";
const authorization = `Basic ${Buffer.from(`bench:${secret}`).toString("base64")}`;
const summary = {};

// The transport floor: Request in, body read, a JSON Response of a token's size out.
const floorApp = new Hono();
const floorBody = JSON.stringify({ access_token: "x".repeat(520), token_type: "Bearer", expires_in: 3600, scope: "read:data write:data" });
floorApp.post("/oauth/token", async (c) => {
  await c.req.raw.text();
  return new Response(floorBody, { headers: { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", pragma: "no-cache" } });
});
const floorRate = await opsPerSecond(async () => {
  const response = await floorApp.fetch(tokenRequest());
  await response.json();
}, timing);

for (const alg of ["RS256", "ES256", "EdDSA"]) {
  const dir = await mkdtemp(join(os.tmpdir(), "tokenward-bench-"));
  const issuer = await createIssuer({
    issuer: "https://issuer.example.test",
    keys: { directory: dir, algorithm: alg },
    rateLimit: { perClientPerMinute: 0 },
    clients: [{ clientId: "bench", secretHash, audiences: [API], scopes: ["read:data", "write:data"] }],
  });
  try {
    // A real token from the endpoint gives the ceiling its exact input size.
    const sample = await (await issuer.fetch(tokenRequest())).json();
    const signingInput = Buffer.from(sample.access_token.split(".").slice(0, 2).join("."));
    const raw = rawSigner(alg);
    const rawRate = await opsPerSecond(() => raw(signingInput), timing);

    const header = { typ: "at+jwt" };
    const mintRate = await opsPerSecond(() => {
      const iat = Math.floor(Date.now() / 1000);
      return issuer.keys.sign(header, {
        iss: "https://issuer.example.test",
        sub: "bench",
        aud: API,
        iat,
        exp: iat + 3600,
        jti: randomUUID(),
        client_id: "bench",
        scope: "read:data write:data",
      });
    }, timing);

    const endpointRate = await opsPerSecond(async () => {
      const response = await issuer.fetch(tokenRequest());
      if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
      await response.json();
    }, timing);
    const ownRate = 1 / Math.max(1 / endpointRate - 1 / floorRate, 1e-9);
    summary[alg] = { raw: rawRate, mint: mintRate, endpoint: endpointRate, own: ownRate };
    log(
      `| ${alg} | ${fmt(rawRate)} | ${fmt(mintRate)} | ${(mintRate / rawRate).toFixed(2)}x | ${fmt(endpointRate)} | ${(endpointRate / rawRate).toFixed(2)}x | ${(ownRate / rawRate).toFixed(2)}x |`,
    );
  } finally {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

log();
log(`fetch floor (Hono, Request in, token-sized JSON Response out, no OAuth work): ${fmt(floorRate)} /s`);
log();
for (const alg of ["ES256", "EdDSA"]) {
  const { raw, mint, endpoint } = summary[alg];
  log(
    `- ${alg}: signing path ${(mint / raw).toFixed(2)}x of raw signing (aim 0.70: ${mint / raw >= 0.7 ? "met" : "missed"}); whole token endpoint ${(endpoint / raw).toFixed(2)}x (aim 0.70: ${endpoint / raw >= 0.7 ? "met" : "missed"}; the fetch floor alone costs more than the signature)`,
  );
}
log(
  `- RS256: signing path ${(summary.RS256.mint / summary.RS256.raw).toFixed(2)}x, whole endpoint ${(summary.RS256.endpoint / summary.RS256.raw).toFixed(2)}x (no aim)`,
);

if (!quick) writeFileSync(join(here, "..", "ISSUER-RESULTS.md"), `${out.join("\n")}\n`);

function tokenRequest() {
  return new Request("https://issuer.example.test/oauth/token", {
    method: "POST",
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=read%3Adata+write%3Adata",
  });
}

function rawSigner(alg) {
  if (alg === "RS256") {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return (data) => sign("sha256", data, privateKey);
  }
  if (alg === "ES256") {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return (data) => sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  return (data) => sign(null, data, privateKey);
}
