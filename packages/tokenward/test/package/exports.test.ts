import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoRoot = join(packageRoot, "..", "..");

// What users get from npm: the built files behind the `exports` map, loaded
// by name from a plain Node process, as ESM and as CommonJS.
describe("the published package", () => {
  it("has been built (npm test builds before testing)", () => {
    expect(existsSync(join(packageRoot, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(packageRoot, "dist", "index.cjs"))).toBe(true);
    expect(existsSync(join(packageRoot, "dist", "index.d.ts"))).toBe(true);
    expect(existsSync(join(packageRoot, "dist", "index.d.cts"))).toBe(true);
  });

  const program = (load: string) => `
    ${load}
    const { generateKeyPairSync, sign } = require("node:crypto");
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k" };
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const input = b64({ alg: "EdDSA", kid: "k" }) + "." + b64({ iss: "https://i.example", aud: "api", exp: now + 60, scope: "a b" });
    const token = input + "." + sign(null, Buffer.from(input), privateKey).toString("base64url");
    const verifier = tw.createVerifier({ issuers: [{ issuer: "https://i.example", audience: "api", jwks: { keys: [jwk] } }] });
    verifier.verify(token).then(async (ok) => {
      const bad = await verifier.verify(token + "x").catch((e) => e);
      console.log(JSON.stringify({ scopes: ok.scopes, code: bad.code, isTokenError: tw.TokenError.is(bad), presets: typeof tw.entra }));
    });
  `;

  it("loads as ESM by name and verifies a token", async () => {
    const source = program(
      `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); const tw = await import("tokenward");`,
    );
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual({ scopes: ["a", "b"], code: "token_malformed", isTokenError: true, presets: "function" });
  });

  it("loads as CommonJS by name and verifies a token", async () => {
    const source = program(`const tw = require("tokenward");`);
    const { stdout } = await run(process.execPath, ["-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toEqual({ scopes: ["a", "b"], code: "token_malformed", isTokenError: true, presets: "function" });
  });

  it("verifies through WebCrypto and jose in the CommonJS build too (jose is ESM-only, loaded by dynamic import)", async () => {
    const source = program(
      `const tw0 = require("tokenward"); const tw = { ...tw0, createVerifier: (o) => tw0.createVerifier({ ...o, crypto: "webcrypto" }) };`,
    );
    const { stdout } = await run(process.execPath, ["-e", source], { cwd: repoRoot });
    expect(JSON.parse(stdout)).toMatchObject({ scopes: ["a", "b"], code: "token_malformed" });
  });
});
