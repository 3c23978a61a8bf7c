// The main job (CONTRACT.md, `npm start`): the issuer and the protected
// example API from scripts/start.mjs, exercised as the README shows, on
// ports moved by ISSUER_PORT and API_PORT.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, portClosed, type Spawned, spawnNode } from "../helpers/process.js";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "../../../..");

describe("npm start", () => {
  let started: Spawned;
  let issuer: string;
  let api: string;
  let ports: { issuer: number; api: number };

  beforeAll(async () => {
    ports = { issuer: await freePort(), api: await freePort() };
    issuer = `http://localhost:${ports.issuer}`;
    api = `http://localhost:${ports.api}`;
    started = spawnNode([join(root, "scripts/start.mjs")], { ISSUER_PORT: String(ports.issuer), API_PORT: String(ports.api) }, root);
    await started.waitFor(/Ctrl-C stops both/);
    await started.waitFor(/Express example API listening/);
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  });

  it("prints both URLs and the demo credentials", () => {
    const output = started.output();
    expect(output).toContain(issuer);
    expect(output).toContain(api);
    expect(output).toContain("demo-service");
    expect(output).toContain("demo-secret");
  });

  it("serves metadata whose issuer is exactly the issuer URL", async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(issuer);
  });

  it("gets a token with client credentials (Basic and body) and calls the API: 200, tampered 401", async () => {
    const basic = `Basic ${Buffer.from("demo-service:demo-secret").toString("base64")}`;
    const viaBasic = await fetch(`${issuer}/oauth/token`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", audience: api, scope: "read:data write:data" }),
    });
    expect(viaBasic.status).toBe(200);
    const { access_token: token, scope } = (await viaBasic.json()) as { access_token: string; scope: string };
    expect(scope).toBe("read:data write:data");

    const viaBody = await fetch(`${issuer}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "demo-service", client_secret: "demo-secret", resource: api }),
    });
    expect(viaBody.status).toBe(200);

    const ok = await fetch(`${api}/api/protected`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);

    const last = token.at(-2) === "A" ? "B" : "A";
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    const refused = await fetch(`${api}/api/protected`, { headers: { authorization: `Bearer ${tampered}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);

    const missing = await fetch(`${api}/api/protected`);
    expect(missing.status).toBe(401);
  });

  it("stops both cleanly on SIGINT", async () => {
    const code = await started.stop("SIGINT");
    expect(code).toBe(0);
    expect(await portClosed(ports.issuer)).toBe(true);
    expect(await portClosed(ports.api)).toBe(true);
  });
});
