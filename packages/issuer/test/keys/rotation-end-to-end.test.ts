// Key rotation seen from a protected API: tokens signed before, during and
// after a rotation all verify at an API protected by tokenward (Hono adapter,
// JWKS fetched over HTTP from the issuer) until they expire, and none after.
// Issuer and API share one fake clock, so the schedule's hours take no time.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createVerifier } from "tokenward";
import { type AuthEnv, authenticate } from "tokenward/hono";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createIssuer, type Issuer, type RunningServer } from "../../src/index.js";
import { basic, headerOf, postForm, SECRET_CLIENT, secretHash } from "../helpers/issuer.js";
import { freePort } from "../helpers/process.js";

const API = "https://api.rotation.test";
const LIFETIME = 600;
const LEAD = 120;

let clock = Date.UTC(2026, 10, 23, 12, 0, 0);
let dir: string;
let issuer: Issuer;
let issuerServer: RunningServer;
let api: ReturnType<typeof serve>;
let apiUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tokenward-rotation-"));
  const port = await freePort();
  issuer = await createIssuer({
    issuer: `http://127.0.0.1:${port}`,
    keys: { directory: dir, algorithm: "ES256", jwksMaxAgeSeconds: 60, publishLeadSeconds: LEAD },
    tokens: { lifetimeSeconds: LIFETIME },
    rateLimit: { perClientPerMinute: 0 },
    clients: [{ clientId: SECRET_CLIENT.clientId, secretHash: await secretHash(), audiences: [API], scopes: ["read"] }],
    now: () => clock,
  });
  issuerServer = await issuer.listen({ port, hostname: "127.0.0.1" });

  const verifier = createVerifier({
    issuers: [{ issuer: issuer.config.issuer, audience: API, jwksUri: issuer.config.endpoints.jwks }],
    clockTolerance: 0,
    now: () => Math.floor(clock / 1000),
    // The verified-token cache would answer from memory; this test is about keys.
    cache: false,
  });
  const app = new Hono<AuthEnv>();
  app.use("/api/*", authenticate({ verifier }));
  app.get("/api/data", (c) => c.json({ sub: c.get("auth")?.subject }));
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  await new Promise<void>((resolve) => {
    api = serve({ fetch: app.fetch, port: apiPort, hostname: "127.0.0.1" }, () => resolve());
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => api?.close(() => resolve()));
  await issuerServer?.close();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function token(): Promise<string> {
  const response = await postForm(
    issuer.config.endpoints.token,
    { grant_type: "client_credentials" },
    { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function status(bearer: string): Promise<number> {
  const response = await fetch(`${apiUrl}/api/data`, { headers: { authorization: `Bearer ${bearer}` } });
  await response.arrayBuffer();
  return response.status;
}

async function publishedKids(): Promise<string[]> {
  const jwks = (await (await fetch(issuer.config.endpoints.jwks)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid).sort();
}

it("tokens from before, during and after a rotation verify until they expire, none after", async () => {
  const start = clock;
  const before = await token();
  const oldKid = headerOf(before).kid as string;
  expect(await publishedKids()).toEqual([oldKid]);

  // The new key is published at once and signs only after the lead time.
  const rotated = await issuer.keys.rotate();
  expect((await publishedKids()).sort()).toEqual([oldKid, rotated.kid].sort());
  clock = start + 60_000;
  const during = await token();
  expect(headerOf(during).kid).toBe(oldKid);

  clock = start + (LEAD + 1) * 1000;
  const after = await token();
  expect(headerOf(after).kid).toBe(rotated.kid);

  // Everything verifies while unexpired.
  expect([await status(before), await status(during), await status(after)]).toEqual([200, 200, 200]);

  // Each token stops verifying when it expires, in order.
  clock = start + (LIFETIME + 1) * 1000;
  expect([await status(before), await status(during), await status(after)]).toEqual([401, 200, 200]);
  clock = start + (60 + LIFETIME + 1) * 1000;
  expect([await status(before), await status(during), await status(after)]).toEqual([401, 401, 200]);

  // The old key stays published until every token it signed has expired (plus the skew margin), then goes.
  await issuer.keys.refresh();
  expect(await publishedKids()).toContain(oldKid);
  clock = start + (LEAD + LIFETIME + 61) * 1000;
  await issuer.keys.refresh();
  expect(await publishedKids()).toEqual([rotated.kid]);

  clock = start + (LEAD + 1 + LIFETIME + 1) * 1000;
  expect([await status(before), await status(during), await status(after)]).toEqual([401, 401, 401]);
});
