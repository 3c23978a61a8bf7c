// What users get from npm: the built files behind the `exports` map, loaded
// by name from a plain Node process, as ESM and as CommonJS (npm test builds
// before it tests).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(packageRoot, "..", "..");

// Starts an issuer, verifies a token with tokenward, checks an invalid one and a client-credentials token, closes.
const program = `
  (async () => {
    const issuer = await testing.createMockIssuer({ path: "/realms/pkg", algorithms: ["ES256"] });
    try {
      const verifier = tokenward.createVerifier({ issuers: [issuer.policy()] });
      const ok = await verifier.verify(await issuer.mint({ sub: "pkg-user" }, { scopes: ["read"] }));
      const bad = await verifier.verify(await issuer.mintInvalid("algorithmConfusion")).catch((e) => e);
      const response = await fetch(issuer.endpoints.token, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + Buffer.from("test-client:test-secret").toString("base64") },
        body: "grant_type=client_credentials",
      });
      const issued = await response.json();
      const machine = await verifier.verify(issued.access_token);
      console.log(JSON.stringify({
        sub: ok.subject, scopes: ok.scopes, code: bad.code, expected: testing.INVALID_TOKENS.algorithmConfusion.code,
        machine: machine.subject, error: typeof testing.MockIssuerError, dispose: typeof issuer[Symbol.asyncDispose],
      }));
    } finally {
      await issuer.close();
    }
  })();
`;
const expected = {
  sub: "pkg-user",
  scopes: ["read"],
  code: "algorithm_not_allowed",
  expected: "algorithm_not_allowed",
  machine: "test-client",
  error: "function",
  dispose: "function",
};

describe("the published @tokenward/testing", () => {
  it("has been built: ESM, CommonJS and both declaration files behind its exports", () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
      exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } }>;
      dependencies: Record<string, string>;
    };
    const root = manifest.exports["."];
    for (const file of [root?.import.types, root?.import.default, root?.require.types, root?.require.default]) {
      expect(existsSync(join(packageRoot, String(file))), String(file)).toBe(true);
    }
    // jose is the one runtime dependency (the server is node:http).
    expect(Object.keys(manifest.dependencies)).toEqual(["jose"]);
  });

  it("loads as ESM by name", async () => {
    const source = `const testing = await import("@tokenward/testing"); const tokenward = await import("tokenward"); ${program}`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it("loads as CommonJS by name", async () => {
    const source = `const testing = require("@tokenward/testing"); const tokenward = require("tokenward"); ${program}`;
    const { stdout } = await run(process.execPath, ["-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it("the declarations name the public API", () => {
    const types = readFileSync(join(packageRoot, "dist", "index.d.ts"), "utf8");
    for (const name of [
      "createMockIssuer",
      "MockIssuer",
      "MockIssuerOptions",
      "MintOptions",
      "INVALID_TOKENS",
      "InvalidTokenKind",
      "Fault",
      "MockEndpoint",
      "TokenPreset",
    ]) {
      expect(types).toContain(name);
    }
  });
});
