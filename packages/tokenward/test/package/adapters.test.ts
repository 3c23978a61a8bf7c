import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoRoot = join(packageRoot, "..", "..");

// The adapters as users get them from npm: the built files behind the
// `exports` map, loaded by name (tokenward/express ...) from a plain Node
// process, as ESM and as CommonJS. Each must load without its framework
// installed or loaded, export functions, and share the one core (one
// TokenError class) with `tokenward`.

const SUBPATHS = ["express", "fastify", "hono", "koa", "web"] as const;
type Subpath = (typeof SUBPATHS)[number];

const EXPECTED_EXPORTS: Record<Subpath, string[]> = {
  express: ["authenticate", "guard", "protectedResource", "protectedResourceMetadata", "requireClaim", "requirePermissions", "requireRoles", "requireScopes"],
  fastify: ["guard", "protectedResource", "protectedResourceMetadata", "requireClaim", "requirePermissions", "requireRoles", "requireScopes", "tokenward"],
  hono: ["authenticate", "guard", "protectedResource", "protectedResourceMetadata", "requireClaim", "requirePermissions", "requireRoles", "requireScopes"],
  koa: ["authenticate", "guard", "protectedResource", "protectedResourceMetadata", "requireClaim", "requirePermissions", "requireRoles", "requireScopes"],
  web: [
    "authenticate",
    "createAuthenticator",
    "protect",
    "protectedResourceMetadata",
    "protectedResourceResponse",
    "requireClaim",
    "requirePermissions",
    "requireRoles",
    "requireScopes",
  ],
};

// The part of the child program common to ESM and CommonJS: it expects
// `adapter`, `core`, `name` and `loadedFiles()` (absolute paths of every module
// loaded so far) and prints one JSON report.
const PROBE = String.raw`
  const { generateKeyPairSync } = require("node:crypto");
  const { readFileSync } = require("node:fs");
  const { publicKey } = generateKeyPairSync("ed25519");
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k" };
  const verifier = core.createVerifier({ issuers: [{ issuer: "https://i.example", audience: "api", jwks: { keys: [jwk] } }] });

  // A ConfigError thrown through the adapter (a realm with a quote), at set-up.
  let configError;
  const bad = { verifier, realm: 'a "quoted" realm' };
  try {
    if (name === "fastify") adapter.tokenward({}, bad, (error) => { configError = error; });
    else if (name === "web") adapter.createAuthenticator(bad);
    else adapter.authenticate(bad);
  } catch (error) {
    configError = error;
  }

  // A refusal through the adapter, with no framework: a hand-made request.
  const refusal = async () => {
    if (name === "web") {
      const result = await adapter.createAuthenticator({ verifier })(new Request("http://127.0.0.1/x", { headers: { authorization: "Bearer not.a.jwt" } }));
      return { status: result.response.status, challenge: result.response.headers.get("www-authenticate"), sameTokenError: result.error instanceof core.TokenError, code: result.error.code };
    }
    if (name === "express") {
      return new Promise((resolve) => {
        const headers = {};
        const res = { statusCode: 0, setHeader: (n, v) => { headers[n] = v; }, end: (body) => resolve({ status: res.statusCode, challenge: headers["www-authenticate"], code: JSON.parse(body).code }) };
        const req = { method: "GET", url: "/x", originalUrl: "/x", headers: { authorization: "Bearer not.a.jwt" }, headersDistinct: { authorization: ["Bearer not.a.jwt"] } };
        adapter.authenticate({ verifier })(req, res, (error) => resolve({ next: String(error) }));
      });
    }
    return null;
  };

  refusal().then((through) => {
    const files = loadedFiles();
    const dist = files.filter((file) => file.includes("/packages/tokenward/dist/"));
    const report = {
      exports: Object.fromEntries(Object.entries(adapter).map(([key, value]) => [key, typeof value])),
      frameworks: files.filter((file) => /\/node_modules\/(express|express4|fastify|hono|@hono\/[^/]+|koa)\//.test(file)),
      tokenErrorClasses: dist.filter((file) => /\bTokenError = class\b|\bclass TokenError\b/.test(readFileSync(file, "utf8"))).length,
      sameConfigError: configError instanceof core.ConfigError && configError.constructor === core.ConfigError,
      configErrorField: configError && configError.field,
      through,
    };
    console.log(JSON.stringify(report));
  });
`;

/** ESM: every resolved module URL is traced by a module.register() resolve hook; a sentinel import flushes the trace. */
const esmProgram = (name: Subpath) => `
  import { register, createRequire } from "node:module";
  import { MessageChannel } from "node:worker_threads";
  import { fileURLToPath } from "node:url";
  const require = createRequire(import.meta.url);
  const { port1, port2 } = new MessageChannel();
  const urls = [];
  const SENTINEL = "data:text/javascript,export default 'sentinel'";
  let flushed;
  const flush = new Promise((resolve) => { flushed = resolve; });
  port1.on("message", (url) => { if (url === SENTINEL) flushed(); else urls.push(url); });
  const hook = "let port; export function initialize(data) { port = data.port; } export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }";
  register("data:text/javascript," + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
  const name = ${JSON.stringify(name)};
  const adapter = await import("tokenward/" + name);
  const core = await import("tokenward");
  await import(SENTINEL);
  await flush;
  port1.close();
  // A module is resolved once per import of it, and evaluated once per URL: count URLs.
  const loadedFiles = () => [...new Set([...urls.filter((url) => url.startsWith("file:")).map((url) => fileURLToPath(url)), ...Object.keys(require.cache)])];
  ${PROBE}
`;

/** CommonJS: require.cache holds every module loaded. */
const cjsProgram = (name: Subpath) => `
  const name = ${JSON.stringify(name)};
  const adapter = require("tokenward/" + name);
  const core = require("tokenward");
  const loadedFiles = () => Object.keys(require.cache);
  ${PROBE}
`;

interface Report {
  exports: Record<string, string>;
  frameworks: string[];
  tokenErrorClasses: number;
  sameConfigError: boolean;
  configErrorField: string;
  through: { status: number; challenge: string; code: string; sameTokenError?: boolean } | { next: string } | null;
}

async function probe(format: "esm" | "cjs", name: Subpath): Promise<Report> {
  const args = format === "esm" ? ["--input-type=module", "-e", esmProgram(name)] : ["-e", cjsProgram(name)];
  const { stdout } = await run(process.execPath, args, { cwd: repoRoot });
  return JSON.parse(stdout) as Report;
}

const CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="The token is malformed."';

describe("the published adapters", () => {
  beforeAll(async () => {
    // npm test builds first; a lone run of this file builds what is missing.
    if (!SUBPATHS.every((name) => existsSync(join(packageRoot, "dist", `${name}.js`)) && existsSync(join(packageRoot, "dist", `${name}.cjs`)))) {
      await run("npm", ["run", "build", "-w", "tokenward"], { cwd: repoRoot });
    }
  }, 120_000);

  for (const format of ["esm", "cjs"] as const) {
    for (const name of SUBPATHS) {
      describe(`tokenward/${name} as ${format === "esm" ? "ESM" : "CommonJS"}`, () => {
        let report: Report;
        beforeAll(async () => {
          report = await probe(format, name);
        });

        it("loads by name, and every export is a function", () => {
          expect(Object.keys(report.exports).sort()).toEqual(EXPECTED_EXPORTS[name]);
          expect(new Set(Object.values(report.exports))).toEqual(new Set(["function"]));
        });

        it("loads no framework module at all (express, fastify, hono, koa are optional peers)", () => {
          expect(report.frameworks).toEqual([]);
        });

        it("shares one copy of the core with `tokenward`: one TokenError class is loaded", () => {
          expect(report.tokenErrorClasses).toBe(1);
        });

        it("throws configuration mistakes as the ConfigError class of `tokenward`", () => {
          expect(report.sameConfigError).toBe(true);
          expect(report.configErrorField).toBe("realm");
        });

        if (name === "web" || name === "express") {
          it("answers a refusal through the built core without its framework (RFC 6750 §3)", () => {
            expect(report.through).toEqual({
              status: 401,
              challenge: CHALLENGE,
              code: "token_malformed",
              ...(name === "web" ? { sameTokenError: true } : {}),
            });
          });
        }
      });
    }
  }
});
