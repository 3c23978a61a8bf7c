import { generateKeyPairSync } from "node:crypto";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { generateKey, jwksOf, type TestKey } from "../helpers/keys.js";
import { type CliResult, ensureBuilt, jsonLine, runCli } from "./run-cli.js";

// `tokenward discover` spawned as users run it, against issuers served on
// 127.0.0.1: each path of one server is an issuer with its own metadata and
// JWKS, healthy or broken in one particular way.

let server: TestServer;
let good: TestKey;
let other: TestKey;
let closedPort: number;

/** An issuer at `path` whose metadata (OIDC Discovery) names `issuer` and points at its JWKS. */
function issuerAt(path: string, jwks: unknown, metadata: Record<string, unknown> = {}, headers: Record<string, string> = {}): string {
  const issuer = `${server.origin}${path}`;
  server.json(`${path}/.well-known/openid-configuration`, { issuer, jwks_uri: `${issuer}/jwks`, ...metadata }, headers);
  server.json(`${path}/jwks`, jwks, headers);
  return issuer;
}

/** A public RSA JWK of `bits` bits from node:crypto (jose refuses to make keys under 2048 bits, rightly). */
function rsaJwk(bits: number, kid: string, extra: Record<string, unknown> = {}): JWK {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return { ...(publicKey.export({ format: "jwk" }) as JWK), kid, alg: "RS256", use: "sig", ...extra };
}

function discover(...args: string[]): Promise<CliResult> {
  return runCli(["discover", ...args]);
}

beforeAll(async () => {
  ensureBuilt();
  good = await generateKey("ES256", "good-key");
  other = await generateKey("RS256", "other-key");
  server = await startServer();
  // A port that was free a moment ago and has no listener now: connections are refused.
  const probe = await startServer();
  closedPort = Number(new URL(probe.origin).port);
  await probe.close();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe.concurrent("tokenward discover: a healthy issuer", () => {
  it("says which metadata document answered, that it names the issuer exactly, lists the keys and exits 0", async ({ expect }) => {
    const issuer = issuerAt("/healthy", jwksOf(good, other));
    const result = await discover(issuer);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`✓ ${issuer}/.well-known/openid-configuration (OpenID Connect Discovery) answered`);
    // RFC 8414 §3.1: the well-known segment goes between host and path.
    expect(result.stdout).toContain(`✗ ${server.origin}/.well-known/oauth-authorization-server/healthy (RFC 8414) failed: it answered HTTP 404`);
    expect(result.stdout).toContain(`issuer ${JSON.stringify(issuer)}, exactly as given`);
    expect(result.stdout).toContain('✓ kid "good-key"  EC  P-256  alg ES256  use sig');
    expect(result.stdout).toContain('✓ kid "other-key"  RSA  2048 bits  alg RS256  use sig');
    expect(result.stdout).toContain("✓ all is well");
  });

  it("prints one JSON object with --json: the attempts, the document used, the keys and every check", async ({ expect }) => {
    const issuer = issuerAt("/healthy-json", jwksOf(good));
    const result = await discover(issuer, "--json");
    expect(result.code).toBe(0);
    const body = jsonLine(result.stdout);
    expect(body).toMatchObject({
      ok: true,
      issuer,
      used: `${issuer}/.well-known/openid-configuration`,
      issuerMatches: true,
      jwksUri: `${issuer}/jwks`,
      keys: [{ kid: "good-key", kty: "EC", crv: "P-256", alg: "ES256", use: "sig", bits: null, usable: true, problem: null }],
    });
    const metadata = body.metadata as { kind: string; answered: boolean }[];
    expect(metadata.map((attempt) => [attempt.kind, attempt.answered])).toEqual([
      ["openid-configuration", true],
      ["oauth-authorization-server", false],
    ]);
    const checks = body.checks as { id: string; status: string }[];
    expect(checks.map((check) => check.id)).toEqual([
      "url_policy",
      "discovery",
      "issuer",
      "jwks_reachable",
      "jwks_valid",
      "jwks_keys",
      "jwks_duplicate_kids",
      "jwks_weak_rsa",
      "clock",
    ]);
    expect(checks.every((check) => check.status === "pass")).toBe(true);
    expect(Math.abs((body.clock as { skewSeconds: number }).skewSeconds)).toBeLessThanOrEqual(1);
  });

  it("falls back to RFC 8414 path insertion when only /.well-known/oauth-authorization-server/<path> answers", async ({ expect }) => {
    const issuer = `${server.origin}/rfc8414-only`;
    server.json("/.well-known/oauth-authorization-server/rfc8414-only", { issuer, jwks_uri: `${issuer}/jwks` });
    server.json("/rfc8414-only/jwks", jwksOf(good));
    const result = await discover(issuer, "--json");
    expect(result.code).toBe(0);
    const body = jsonLine(result.stdout);
    expect(body.used).toBe(`${server.origin}/.well-known/oauth-authorization-server/rfc8414-only`);
    expect(body.ok).toBe(true);
  });

  it("shows a key published for encryption as ignored, without calling the issuer broken", async ({ expect }) => {
    const encryption = rsaJwk(2048, "enc-key", { use: "enc", alg: "RSA-OAEP-256" });
    const issuer = issuerAt("/with-enc", { keys: [good.jwk, encryption] });
    const result = await discover(issuer);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /- kid "enc-key" {2}RSA {2}2048 bits {2}alg RSA-OAEP-256 {2}use enc {2}\(not for signatures, ignored: .*use is "enc", not "sig"/,
    );
  });
});

describe.concurrent("tokenward discover: the issuer in the metadata is not the one given", () => {
  it("diagnoses a trailing slash and names the exact string to configure", async ({ expect }) => {
    const issuer = issuerAt("/slash", jwksOf(good), { issuer: `${server.origin}/slash/` });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("NOT the issuer given");
    expect(result.stdout).toContain("differs only by a trailing slash (the metadata has one, the configuration does not)");
    expect(result.stdout).toContain(`hint: configure the issuer as ${JSON.stringify(`${server.origin}/slash/`)}, exactly as the issuer spells it`);
    const body = jsonLine((await discover(issuer, "--json")).stdout);
    expect(body.issuerMatches).toBe(false);
    expect((body.checks as { id: string; status: string }[]).find((check) => check.id === "issuer")?.status).toBe("fail");
  });

  it("diagnoses http vs https, naming the https issuer and what to do about a proxy", async ({ expect }) => {
    const https = `https://127.0.0.1:${new URL(server.origin).port}/scheme`;
    const issuer = issuerAt("/scheme", jwksOf(good), { issuer: https });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("differs only by scheme (https in the metadata, http configured)");
    expect(result.stdout).toContain(`configure the issuer as ${JSON.stringify(https)}`);
    expect(result.stdout).toContain("also set jwksUri");
  });

  it("warns that a document naming another host belongs to another issuer", async ({ expect }) => {
    const issuer = issuerAt("/elsewhere", jwksOf(good), { issuer: "https://login.other.example/tenant" });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("on another host (login.other.example, not 127.0.0.1:");
    expect(result.stdout).toContain("this is another issuer's document");
  });
});

describe.concurrent("tokenward discover: broken JWKS", () => {
  it("reports a JWKS that answers HTTP 500, with the server-side hint", async ({ expect }) => {
    const issuer = issuerAt("/jwks-500", jwksOf(good));
    server.route("/jwks-500/jwks", (_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" }).end("internal error");
    });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ JWKS reachable  jwks_uri ${issuer}/jwks: it answered HTTP 500`);
    expect(result.stdout).toContain("hint: the server failed: check its logs");
  });

  it("reports a JWKS whose server refuses connections", async ({ expect }) => {
    const issuer = issuerAt("/jwks-down", jwksOf(good), { jwks_uri: `http://127.0.0.1:${closedPort}/jwks` });
    const result = await discover(issuer, "--json");
    expect(result.code).toBe(1);
    const checks = jsonLine(result.stdout).checks as { id: string; status: string; summary: string; hint: string }[];
    const reachable = checks.find((check) => check.id === "jwks_reachable");
    expect(reachable?.status).toBe("fail");
    expect(reachable?.summary).toContain("the request failed");
    expect(reachable?.hint).toContain("check that the server is up");
    expect(checks.find((check) => check.id === "jwks_keys")?.status).toBe("skip");
  });

  it("flags a duplicate kid, a 1024-bit RSA key and an encryption key, each for what it is", async ({ expect }) => {
    const issuer = issuerAt("/bad-keys", {
      keys: [good.jwk, rsaJwk(2048, "dup"), rsaJwk(2048, "dup"), rsaJwk(1024, "weak-key"), rsaJwk(2048, "enc-key", { use: "enc" })],
    });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ duplicate kids  shared kid: "dup" (2 RSA keys)');
    expect(result.stdout).toContain("give every key its own kid (RFC 7517 §4.5)");
    expect(result.stdout).toContain('✗ weak RSA keys   "weak-key": 1024 bits');
    expect(result.stdout).toContain("RSA keys need 2048 bits or more (RFC 7518 §3.3)");
    expect(result.stdout).toMatch(/✗ kid "weak-key" {2}RSA {2}1024 bits .*RSA modulus of 1024 bits/);
    expect(result.stdout).toMatch(/- kid "enc-key" .*not for signatures, ignored/);
    const body = jsonLine((await discover(issuer, "--json")).stdout);
    const keys = body.keys as { kid: string; usable: boolean; bits: number | null }[];
    expect(keys.map((key) => [key.kid, key.usable, key.bits])).toEqual([
      ["good-key", true, null],
      ["dup", true, 2048],
      ["dup", true, 2048],
      ["weak-key", false, 1024],
      ["enc-key", false, 2048],
    ]);
  });

  it("says a JWKS publishing a private key must be replaced, and never prints the private members", async ({ expect }) => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const leaked = { ...(privateKey.export({ format: "jwk" }) as JWK), kid: "leaked", alg: "ES256", use: "sig" };
    const issuer = issuerAt("/leaked", { keys: [good.jwk, leaked] });
    const human = await discover(issuer);
    const json = await discover(issuer, "--json");
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("a key publishes private key material");
    expect(human.stdout).toContain("replace that key at once");
    for (const output of [human.stdout + human.stderr, json.stdout + json.stderr]) expect(output).not.toContain(leaked.d);
  });

  it("says what a document that is not a JWK Set is", async ({ expect }) => {
    const issuer = issuerAt("/not-jwks", { issuer: "x", jwks_uri: "y" });
    const result = await discover(issuer);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ JWKS valid +not a JWK Set: the JWKS has no "keys" array\n {4}hint: a JWKS is a JSON object \{"keys": \[\.\.\.\]\} \(RFC 7517 §5\)/,
    );
  });
});

describe.concurrent("tokenward discover: clocks, URL policy and usage", () => {
  it("measures a server clock 5 minutes ahead from the Date header and fails", async ({ expect }) => {
    const issuer = `${server.origin}/clock`;
    const skewed = (body: unknown) => (_request: unknown, response: import("node:http").ServerResponse) => {
      response.writeHead(200, { "content-type": "application/json", date: new Date(Date.now() + 300_000).toUTCString() }).end(JSON.stringify(body));
    };
    server.route("/clock/.well-known/openid-configuration", skewed({ issuer, jwks_uri: `${issuer}/jwks` }));
    server.route("/clock/jwks", skewed(jwksOf(good)));
    const result = await discover(issuer, "--json");
    expect(result.code).toBe(1);
    const body = jsonLine(result.stdout);
    const skew = (body.clock as { skewSeconds: number }).skewSeconds;
    expect(skew).toBeGreaterThanOrEqual(299);
    expect(skew).toBeLessThanOrEqual(301);
    const clock = (body.checks as { id: string; status: string; hint: string }[]).find((check) => check.id === "clock");
    expect(clock?.status).toBe("fail");
    expect(clock?.hint).toContain("Synchronise both clocks with NTP");
    const human = await discover(issuer);
    expect(human.stdout).toMatch(/the server's clock is (4 min 59|5 min [01]) s ahead of ours/);
  });

  it("refuses a plain-http, non-loopback issuer with the reason, without fetching it", async ({ expect }) => {
    const result = await discover("http://issuer.example.com");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("uses http on a non-loopback host");
    expect(result.stdout).toContain("hint: keys are discovered from the issuer URL: use https");
    expect(result.stdout).toContain("metadata  not fetched");
  });

  it("exits 2 with the usage for a missing issuer, a non-URL, two issuers or an unknown option", async ({ expect }) => {
    for (const args of [[], ["not a url"], ["https://a.example", "https://b.example"], ["https://a.example", "--bogus"]]) {
      const result = await discover(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("Usage: tokenward discover <issuer>");
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    }
  });

  it("prints its usage on standard output with --help and exits 0", async ({ expect }) => {
    const result = await discover("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: tokenward discover <issuer>");
  });
});
