// What users get from npm: @tokenward/issuer's built files behind its
// `exports` map, loaded by name from a plain Node process (ESM and CommonJS),
// and the issuer commands reached through the `tokenward` binary.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const cli = join(repoRoot, "packages/tokenward/dist/cli/main.js");

const program = `
  const { mkdtempSync } = require("node:fs");
  const { join } = require("node:path");
  const { tmpdir } = require("node:os");
  (async () => {
    const secretHash = await issuer.hashSecret("s3cret-s3cret-s3cret");
    const it = await issuer.createIssuer({
      issuer: "https://issuer.example.test",
      keys: { directory: join(mkdtempSync(join(tmpdir(), "tw-pkg-")), "keys"), algorithm: "EdDSA" },
      clients: [{ clientId: "svc", secretHash, audiences: ["https://api.example.test"], scopes: ["read"] }],
    });
    const response = await it.fetch(new Request("https://issuer.example.test/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=svc&client_secret=s3cret-s3cret-s3cret",
    }));
    const body = await response.json();
    await it.close();
    console.log(JSON.stringify({ status: response.status, type: body.token_type, parts: body.access_token.split(".").length, store: typeof issuer.createRedisStore }));
  })();
`;

describe("the published @tokenward/issuer", () => {
  it("loads as ESM by name and issues a token", async () => {
    const source = `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); const issuer = await import("@tokenward/issuer"); ${program}`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual({ status: 200, type: "Bearer", parts: 3, store: "function" });
  });

  it("loads as CommonJS by name and issues a token", async () => {
    const { stdout } = await run(process.execPath, ["-e", `const issuer = require("@tokenward/issuer"); ${program}`], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual({ status: 200, type: "Bearer", parts: 3, store: "function" });
  });

  it("publishes the configuration's JSON Schema", async () => {
    const { stdout } = await run(process.execPath, ["-e", `console.log(require.resolve("@tokenward/issuer/schema.json"))`], { cwd: repoRoot });
    expect(stdout.trim()).toMatch(/issuer-config\.schema\.json$/);
  });

  it("`tokenward keys` and `tokenward secret` run through the tokenward binary", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-keys-"));
    try {
      await run(process.execPath, [cli, "keys", "generate", "--dir", join(dir, "keys"), "--algorithm", "ES256"]);
      const { stdout } = await run(process.execPath, [cli, "keys", "list", "--dir", join(dir, "keys"), "--json"]);
      const listed = JSON.parse(stdout) as unknown;
      expect(JSON.stringify(listed)).toContain("ES256");
      expect(JSON.stringify(listed)).not.toMatch(/"d"\s*:/);
      const hashed = await run(process.execPath, [cli, "secret", "hash", "--generate"]);
      expect(hashed.stdout).toMatch(/scrypt\$15\$8\$1\$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
