// `npm run demo:xaa` (examples/xaa/demo.mjs) as a real process: it walks
// the four stages, prints requests with their secrets masked and the tokens
// decoded, stops its three servers and exits 0; --keep leaves them running
// until SIGINT; a wrong argument is a usage error (2).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort, portClosed, type Spawned, spawnNode } from "../../helpers/process.js";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "../../../../..");
const demo = join(root, "examples/xaa/demo.mjs");
const SECRETS = ["wiki-idp-secret", "wiki-as-secret", "alice-password"];

async function ports(): Promise<{ idp: number; as: number; api: number }> {
  return { idp: await freePort(), as: await freePort(), api: await freePort() };
}

/** The exit code once the process ends by itself (no signal sent). */
function exited(run: Spawned): Promise<number | null> {
  const { child } = run;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

function portArgs(p: { idp: number; as: number; api: number }): string[] {
  return ["--idp-port", String(p.idp), "--as-port", String(p.as), "--api-port", String(p.api)];
}

describe("npm run demo:xaa", () => {
  it("walks sign-in, token exchange, jwt-bearer grant and the API call, then stops everything and exits 0", async () => {
    const used = await ports();
    const run = spawnNode([demo, ...portArgs(used)], {}, root);
    // A first run may install and build the packages.
    await run.waitFor(/Done: the servers are stopped/, 120_000);
    expect(await exited(run)).toBe(0);
    const output = run.output();

    for (const stage of [
      "[1/4] Alice signs in to wiki-app at the identity provider: the ID token",
      "[2/4] wiki-app exchanges the ID token at the identity provider: the ID-JAG",
      "[3/4] wiki-app redeems the ID-JAG at the notes authorization server: the access token",
      "[4/4] wiki-app calls the notes API: the API answer",
    ]) {
      expect(output).toContain(stage);
    }
    // Each request, each decoded token, the API's answer.
    expect(output).toContain(`-> POST http://127.0.0.1:${used.idp}/oauth/token`);
    expect(output).toContain("grant_type=urn:ietf:params:oauth:grant-type:token-exchange");
    expect(output).toContain(`-> POST http://127.0.0.1:${used.as}/oauth/token`);
    expect(output).toContain("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(output).toMatch(/ID token \(decoded[^\n]*\n\s+header\s+\{"alg":"ES256",[^\n]*"typ":"JWT"\}/);
    expect(output).toMatch(/ID-JAG \(decoded[^\n]*\n\s+header\s+\{[^\n]*"typ":"oauth-id-jag\+jwt"\}/);
    expect(output).toMatch(/access token \(decoded[^\n]*\n\s+header\s+\{"alg":"RS256",[^\n]*"typ":"at\+jwt"\}/);
    expect(output).toContain(`"aud": "http://127.0.0.1:${used.as}"`);
    expect(output).toMatch(/<- 200 \{"notes":\[[^\n]*"sub":"u-1001","client_id":"wiki-app","scopes":\["notes.read"\]\}/);
    // The refusals it shows, with the operator's reason from the log.
    expect(output).toContain('400 {"error":"invalid_grant","error_description":"the assertion is not valid"}');
    expect(output).toMatch(/\(as log\) invalid_grant: ID-JAG refused: jti "[^"]+" was already redeemed/);
    // Secrets masked; no whole token printed (only their first 16 characters).
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    expect(output).toContain("client_secret=***");
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]+\./);

    for (const port of Object.values(used)) expect(await portClosed(port)).toBe(true);
  }, 150_000);

  it("--keep leaves the servers running with their URLs printed, and SIGINT stops them (exit 0)", async () => {
    const used = await ports();
    const run = spawnNode([demo, "--keep", ...portArgs(used)], {}, root);
    try {
      await run.waitFor(/The servers keep running/, 120_000);
      expect(run.output()).toContain(`notes API               http://127.0.0.1:${used.api}/api/notes`);
      const metadata = (await (await fetch(`http://127.0.0.1:${used.as}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(`http://127.0.0.1:${used.as}`);
      const api = await fetch(`http://127.0.0.1:${used.api}/api/notes`);
      expect(api.status).toBe(401);
      expect(await run.stop("SIGINT")).toBe(0);
      for (const port of Object.values(used)) expect(await portClosed(port)).toBe(true);
    } finally {
      await run.stop();
    }
  }, 150_000);

  it("refuses an unknown argument or a bad port with the usage (exit 2)", async () => {
    for (const args of [["--nope"], ["--idp-port", "http"]]) {
      const run = spawnNode([demo, ...args], {}, root);
      await run.waitFor(/usage: npm run demo:xaa/);
      expect(await exited(run)).toBe(2);
      expect(run.output()).toMatch(/demo:xaa: (unknown argument "--nope"|--idp-port needs a port number)/);
    }
  });
});
