// `tokenward discover` and `tokenward doctor` against this package's own
// issuer on 127.0.0.1: what a healthy issuer looks like to them (both
// discovery documents, path insertion, rotation), and the failures a user of
// it meets (a foreign key, another audience), with tokens from `tokenward mint`.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateIssuerOptions } from "../../src/index.js";
import { API, OTHER_API, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";
import { ensureBuilt, tokenOf, tokenward } from "./run-tokenward.js";

let running: RunningIssuer;
let tenant: RunningIssuer;
let dir: string;
let configFile: string;

interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  hint?: string;
  data?: Record<string, unknown>;
}

function checks(stdout: string): Map<string, JsonCheck> {
  return new Map((JSON.parse(stdout).checks as JsonCheck[]).map((check) => [check.id, check]));
}

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), "tokenward-diagnose-"));
  let config: CreateIssuerOptions | undefined;
  running = await startIssuer({
    configure: (options) => {
      config = options;
    },
  });
  configFile = join(dir, "issuer.json");
  await writeFile(configFile, JSON.stringify(config));
  tenant = await startIssuer({ path: "/tenant" });
}, 60_000);

afterAll(async () => {
  await running?.close();
  await tenant?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("tokenward discover against @tokenward/issuer", () => {
  it("finds both metadata documents, the exact issuer and the signing key, and exits 0", async () => {
    const result = await tokenward(["discover", running.issuerId]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [key] = running.issuer.keys.list();
    expect(result.stdout).toContain(`✓ ${running.issuerId}/.well-known/openid-configuration (OpenID Connect Discovery) answered`);
    expect(result.stdout).toContain(`✓ ${running.issuerId}/.well-known/oauth-authorization-server (RFC 8414) answered`);
    expect(result.stdout).toContain(`issuer ${JSON.stringify(running.issuerId)}, exactly as given`);
    expect(result.stdout).toContain(`✓ kid ${JSON.stringify(key?.kid)}  EC  P-256  alg ES256  use sig`);
    expect(result.stdout).toContain("✓ all is well");
  });

  it("follows RFC 8414 §3.1 path insertion for an issuer with a path", async () => {
    const result = await tokenward(["discover", tenant.issuerId, "--json"]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { metadata: { url: string; answered: boolean }[]; used: string; issuerMatches: boolean };
    expect(body.metadata).toEqual([
      expect.objectContaining({ url: `${tenant.origin}/tenant/.well-known/openid-configuration`, answered: true }),
      expect.objectContaining({ url: `${tenant.origin}/.well-known/oauth-authorization-server/tenant`, answered: true }),
    ]);
    expect(body.issuerMatches).toBe(true);
  });

  it("lists the next key beside the signing one after a scheduled rotation, both usable", async () => {
    const rotated = await tokenward(["keys", "rotate", "--dir", running.keyDir, "--json"]);
    expect(rotated.code).toBe(0);
    await running.issuer.keys.refresh();
    const kids = running.issuer.keys.list().map((key) => key.kid);
    expect(kids).toHaveLength(2);
    const result = await tokenward(["discover", running.issuerId, "--json"]);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { keys: { kid: string; usable: boolean }[] };
    expect(body.keys.map((key) => key.kid).sort()).toEqual([...kids].sort());
    expect(body.keys.every((key) => key.usable)).toBe(true);
  });
});

describe("tokenward doctor against @tokenward/issuer, with tokens from tokenward mint", () => {
  it("passes every check for a token the issuer would issue", async () => {
    const token = tokenOf(await tokenward(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId]));
    const result = await tokenward(["doctor", "--issuer", running.issuerId, "--audience", API, token, "--json"]);
    expect(result.code).toBe(0);
    const found = checks(result.stdout);
    expect([...found.values()].filter((check) => check.status === "fail")).toEqual([]);
    expect(found.get("token_verify")?.data).toEqual({ valid: true });
  });

  it("names the audience a token was minted for when the API expects another", async () => {
    const token = tokenOf(await tokenward(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId, "--audience", OTHER_API]));
    const result = await tokenward(["doctor", "--issuer", running.issuerId, "--audience", API, token, "--json"]);
    expect(result.code).toBe(1);
    const found = checks(result.stdout);
    expect(found.get("token_audience")?.summary).toBe(`the token is for "${OTHER_API}", not "${API}"`);
    expect(found.get("token_verify")?.data?.code).toBe("audience_mismatch");
  });

  it("a token signed by a key the issuer does not publish: the kid is missing, the issuer's kids are listed, key_not_found", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const keyFile = join(dir, "foreign.jwk.json");
    await writeFile(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid: "foreign" }));
    const token = tokenOf(await tokenward(["mint", "--key", keyFile, "--issuer", running.issuerId, "--audience", API]));
    const result = await tokenward(["doctor", "--issuer", running.issuerId, "--audience", API, token, "--json"]);
    expect(result.code).toBe(1);
    const found = checks(result.stdout);
    const published = running.issuer.keys.jwks().keys.map((jwk) => jwk.kid);
    expect(found.get("token_kid")?.data).toEqual({ kid: "foreign", kids: published });
    expect(found.get("token_verify")?.data?.code).toBe("key_not_found");
    // Everything about the issuer is in order: only the token is wrong.
    for (const id of ["url_policy", "discovery", "issuer", "jwks_reachable", "jwks_valid", "jwks_keys", "clock"])
      expect(found.get(id)?.status, id).toBe("pass");
  });
});
