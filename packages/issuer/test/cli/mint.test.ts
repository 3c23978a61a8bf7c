// `tokenward mint` through the real binary: from an issuer configuration (the
// token the token endpoint would issue, accepted by `tokenward verify` and by
// the issuer's own introspection), and from a key file (JWK or PEM). The
// output is the token alone, and no private key or secret ever appears.
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateIssuerOptions } from "../../src/index.js";
import { API, basic, headerOf, OTHER_API, payloadOf, postForm, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";
import { ensureBuilt, type Run, tokenOf, tokenward } from "./run-tokenward.js";

let running: RunningIssuer;
let dir: string;
let configFile: string;
let config: CreateIssuerOptions;
/** Every run's output, checked at the end for secrets. */
const outputs: Run[] = [];
/** Private key material and secrets used by the tests: none may ever be printed. */
const secrets: string[] = [SECRET_CLIENT.secret];

async function run(args: string[], options: { cwd?: string } = {}): Promise<Run> {
  const result = await tokenward(args, options);
  outputs.push(result);
  return result;
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

function privateMembers(jwk: Record<string, unknown>): string[] {
  return ["d", "p", "q", "dp", "dq", "qi", "k"].flatMap((name) => (typeof jwk[name] === "string" ? [jwk[name] as string] : []));
}

/** A node:crypto key pair written as PEM (and the public JWK to verify with); its private parts are recorded as secrets. */
async function pemKey(name: string, kid: string, type: "rsa" | "ec" | "ed25519", encoding: "pkcs8" | "pkcs1" | "sec1" = "pkcs8", bits = 2048) {
  const pair =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: bits })
      : type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : generateKeyPairSync("ed25519");
  const exported =
    encoding === "pkcs1"
      ? pair.privateKey.export({ format: "pem", type: "pkcs1" })
      : encoding === "sec1"
        ? pair.privateKey.export({ format: "pem", type: "sec1" })
        : pair.privateKey.export({ format: "pem", type: "pkcs8" });
  const pem = exported.toString();
  secrets.push(...privateMembers(pair.privateKey.export({ format: "jwk" }) as Record<string, unknown>));
  // Lines of the PEM body: a fragment of the key in any output would match.
  secrets.push(...pem.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----")));
  const file = join(dir, name);
  await writeFile(file, pem);
  const publicJwk = { ...(pair.publicKey.export({ format: "jwk" }) as JWK), kid, use: "sig" };
  return { file, publicJwk, jwksFile: await writeJson(`${name}.jwks.json`, { keys: [publicJwk] }) };
}

async function joseJwk(alg: "ES256" | "RS256", kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  secrets.push(...privateMembers(privateJwk as Record<string, unknown>));
  return { privateJwk, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), "tokenward-mint-"));
  running = await startIssuer({
    configure: (options) => {
      config = options;
    },
  });
  configFile = await writeJson("issuer.json", config);
  const keyset = JSON.parse(await readFile(join(running.keyDir, "keyset.json"), "utf8")) as { keys: { privateJwk: Record<string, unknown> }[] };
  for (const key of keyset.keys) secrets.push(...privateMembers(key.privateJwk));
}, 60_000);

afterAll(async () => {
  await running?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("tokenward mint --config", () => {
  it("prints the token alone, which tokenward verify accepts through discovery and the issuer's introspection calls active", async () => {
    const minted = await run(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId]);
    expect(minted.stderr).toBe("");
    expect(minted.code).toBe(0);
    const token = tokenOf(minted);

    const verified = await run(["verify", token, "--issuer", running.issuerId, "--audience", API, "--json"]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      valid: true,
      issuer: running.issuerId,
      claims: { client_id: SECRET_CLIENT.clientId, scope: "read:data" },
    });

    const introspection = await postForm(
      running.issuer.config.endpoints.introspection,
      { token },
      { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
    );
    expect(introspection.status).toBe(200);
    expect(await introspection.json()).toMatchObject({ active: true, iss: running.issuerId, client_id: SECRET_CLIENT.clientId, aud: API, scope: "read:data" });

    const doctor = await run(["doctor", "--issuer", running.issuerId, "--audience", API, token]);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain("✓ verification    valid: createVerifier accepts it");
  });

  it("mints what the token endpoint issues: the same header bytes, and the same claims but iat, exp and jti", async () => {
    const minted = tokenOf(
      await run(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId, "--scope", "read:data admin", "--audience", OTHER_API]),
    );
    const response = await postForm(
      running.tokenEndpoint,
      { grant_type: "client_credentials", scope: "read:data admin", audience: OTHER_API },
      { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
    );
    const issued = ((await response.json()) as { access_token: string }).access_token;
    expect(minted.split(".")[0]).toBe(issued.split(".")[0]);
    expect(headerOf(minted)).toEqual({ alg: "ES256", kid: running.issuer.keys.list()[0]?.kid, typ: "at+jwt" });
    const [mine, theirs] = [payloadOf(minted), payloadOf(issued)];
    expect(Object.keys(mine)).toEqual(Object.keys(theirs));
    const { iat, exp, jti, ...rest } = mine;
    const { iat: theirIat, exp: theirExp, jti: theirJti, ...theirRest } = theirs;
    expect(rest).toEqual(theirRest);
    expect(rest).toMatchObject({ aud: OTHER_API, scope: "read:data admin", "https://example.test/tenant_id": "tenant-123" });
    expect((exp as number) - (iat as number)).toBe((theirExp as number) - (theirIat as number));
    expect(jti).not.toBe(theirJti);
  });

  it("refuses what the token endpoint would refuse, with its error code and the operator's detail (exit 2)", async () => {
    const scope = await run(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId, "--scope", "delete:everything"]);
    expect(scope.code).toBe(2);
    expect(scope.stdout).toBe("");
    expect(scope.stderr).toContain("the token endpoint would refuse this: invalid_scope");
    expect(scope.stderr).toContain('the client may have "read:data write:data admin"');
    const target = await run(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId, "--audience", "https://unknown.example.test"]);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("invalid_target");
    expect(target.stderr).toContain(JSON.stringify([API, OTHER_API]));
  });

  it("suggests the client meant, and refuses a client that may not use client_credentials", async () => {
    const typo = await run(["mint", "--config", configFile, "--client", "svc-secrte"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('has no client "svc-secrte" (did you mean "svc-secret"?)');
    // A client that redeems ID-JAGs only (Cross App Access), from an identity provider this issuer trusts.
    const bearerOnly = await writeJson("bearer-only.json", {
      ...config,
      clients: [
        ...config.clients,
        {
          clientId: "agent",
          secretHash: config.clients[0]?.secretHash,
          audiences: [API],
          scopes: ["read:data"],
          grantTypes: ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        },
      ],
      trustedIdentityProviders: [{ issuer: "https://idp.example.test" }],
    });
    const refused = await run(["mint", "--config", bearerOnly, "--client", "agent"]);
    expect(refused.stderr).toContain('client "agent" may not use client_credentials (its grantTypes: urn:ietf:params:oauth:grant-type:jwt-bearer)');
    expect(refused.code).toBe(2);
  });

  it("the auth0 profile: typ JWT, sub <client>@clients, azp and gty, and tokenward verify accepts it", async () => {
    const auth0 = await writeJson("auth0.json", { ...config, tokens: { profile: "auth0" } });
    const token = tokenOf(await run(["mint", "--config", auth0, "--client", SECRET_CLIENT.clientId]));
    expect(headerOf(token).typ).toBe("JWT");
    expect(payloadOf(token)).toMatchObject({ sub: `${SECRET_CLIENT.clientId}@clients`, azp: SECRET_CLIENT.clientId, gty: "client-credentials" });
    const verified = await run(["verify", token, "--issuer", running.issuerId, "--audience", API]);
    expect(verified.code).toBe(0);
  });

  it("only reads the key store: without keys it names the command that makes them, and writes nothing", async () => {
    const keyset = join(running.keyDir, "keyset.json");
    const before = await stat(keyset);
    const hash = createHash("sha256")
      .update(await readFile(keyset))
      .digest("hex");
    tokenOf(await run(["mint", "--config", configFile, "--client", SECRET_CLIENT.clientId]));
    const after = await stat(keyset);
    expect([after.mtimeMs, after.ino]).toEqual([before.mtimeMs, before.ino]);
    expect(
      createHash("sha256")
        .update(await readFile(keyset))
        .digest("hex"),
    ).toBe(hash);

    const empty = join(dir, "no-keys-yet");
    const noKeys = await writeJson("no-keys.json", { ...config, keys: { directory: empty } });
    const result = await run(["mint", "--config", noKeys, "--client", SECRET_CLIENT.clientId]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`no signing keys at ${join(empty, "keyset.json")}`);
    expect(result.stderr).toContain(`tokenward keys generate --config ${noKeys}`);
    await expect(stat(empty)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("explains a configuration that is missing, not JSON or invalid, every problem with its path (exit 2)", async () => {
    const missing = await run(["mint", "--config", join(dir, "nope.json"), "--client", "x"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toContain(`no configuration file at ${join(dir, "nope.json")}`);
    const notJson = join(dir, "broken.json");
    await writeFile(notJson, "{ issuer: nope");
    const broken = await run(["mint", "--config", notJson, "--client", "x"]);
    expect(broken.stderr).toContain(`${notJson} is not JSON`);
    // A private JWK given as --config by mistake, with a slip a JSON parser
    // quotes: the parser's message would repeat the characters around it.
    const privateD = "Zk9xQ2hJd3RzT0lCVnZUa0FkQ2x5";
    secrets.push(privateD.slice(0, 8));
    const slipped = join(dir, "slipped-key.json");
    await writeFile(slipped, `{"kty":"EC","crv":"P-256","d":'${privateD}',"x":"abc"}`);
    const leaked = await run(["mint", "--config", slipped, "--client", "x"]);
    expect(leaked).toMatchObject({ code: 2, stdout: "" });
    expect(leaked.stderr).toContain(`${slipped} is not JSON`);
    expect(leaked.stderr).not.toContain(privateD.slice(0, 8));
    const invalid = await writeJson("invalid.json", {
      issuer: "http://example.com",
      clients: [{ clientId: "svc", secretHash: "plain", audiences: [], scopes: [] }],
    });
    const result = await run(["mint", "--config", invalid, "--client", "svc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not a valid issuer configuration");
    expect(result.stderr).toContain("  issuer: ");
    expect(result.stderr).toContain("  clients[0].secretHash: ");
    expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
});

describe("tokenward mint --key", () => {
  it("signs with a private JWK: the claims asked for, iat now, a fresh jti, and tokenward verify accepts it", async () => {
    const { privateJwk, publicJwk } = await joseJwk("ES256", "adhoc-ec");
    const keyFile = await writeJson("ec.jwk.json", privateJwk);
    const jwksFile = await writeJson("ec.jwks.json", { keys: [publicJwk] });
    const before = Math.floor(Date.now() / 1000);
    const minted = await run([
      "mint",
      "--key",
      keyFile,
      "--issuer",
      "https://idp.example.test",
      "--audience",
      API,
      "--sub",
      "alice",
      "--scope",
      "read:data",
      "--ttl",
      "600",
    ]);
    expect(minted.stderr).toBe("");
    const token = tokenOf(minted);
    expect(headerOf(token)).toEqual({ alg: "ES256", typ: "at+jwt", kid: "adhoc-ec" });
    const claims = payloadOf(token);
    expect(claims).toMatchObject({ iss: "https://idp.example.test", aud: API, sub: "alice", scope: "read:data" });
    expect(claims.iat as number).toBeGreaterThanOrEqual(before);
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const verified = await run([
      "verify",
      token,
      "--issuer",
      "https://idp.example.test",
      "--audience",
      API,
      "--jwks",
      jwksFile,
      "--require-scope",
      "read:data",
    ]);
    expect(verified.code).toBe(0);
  });

  it("reads PEM in PKCS#8, PKCS#1 and SEC1, picks the algorithm from the key, and each token verifies", async () => {
    const cases = [
      { key: await pemKey("rsa-pkcs8.pem", "rsa-8", "rsa", "pkcs8"), kid: "rsa-8", alg: "RS256" },
      { key: await pemKey("rsa-pkcs1.pem", "rsa-1", "rsa", "pkcs1"), kid: "rsa-1", alg: "RS256" },
      { key: await pemKey("ec-sec1.pem", "ec-1", "ec", "sec1"), kid: "ec-1", alg: "ES256" },
      { key: await pemKey("ed25519.pem", "ed-8", "ed25519", "pkcs8"), kid: "ed-8", alg: "EdDSA" },
    ];
    for (const { key, kid, alg } of cases) {
      const token = tokenOf(await run(["mint", "--key", key.file, "--kid", kid, "--issuer", "https://idp.example.test", "--audience", API]));
      expect(headerOf(token)).toEqual({ alg, typ: "at+jwt", kid });
      const verified = await run(["verify", token, "--issuer", "https://idp.example.test", "--audience", API, "--jwks", key.jwksFile]);
      expect(verified.code, `${kid}: ${verified.stdout}`).toBe(0);
    }
    // PEM names no kid: the token still goes to standard output alone, the note to standard error.
    const [first] = cases;
    const kidless = await run(["mint", "--key", first?.key.file as string, "--issuer", "https://idp.example.test", "--audience", API]);
    const token = tokenOf(kidless);
    expect(headerOf(token)).toEqual({ alg: "RS256", typ: "at+jwt" });
    expect(kidless.stderr).toContain("the token has no kid (the key file names none); a verifier whose JWKS holds several keys refuses it, so pass --kid");
    // With one key in the JWKS, a token without kid still verifies.
    expect((await run(["verify", token, "--issuer", "https://idp.example.test", "--audience", API, "--jwks", first?.key.jwksFile as string])).code).toBe(0);
  });

  it("--claim adds or replaces claims (an expired token fails verification), several --audience make an array, --typ '' drops typ", async () => {
    const { privateJwk, publicJwk } = await joseJwk("RS256", "adhoc-rsa");
    const keyFile = await writeJson("rsa.jwk.json", privateJwk);
    const jwksFile = await writeJson("rsa.jwks.json", { keys: [publicJwk] });
    const token = tokenOf(
      await run([
        "mint",
        "--key",
        keyFile,
        "--issuer",
        "https://idp.example.test",
        "--audience",
        API,
        "--audience",
        OTHER_API,
        "--claim",
        'roles=["admin","reader"]',
        "--claim",
        'tenant="acme"',
        "--claim",
        "exp=1",
        "--typ",
        "",
      ]),
    );
    expect(headerOf(token)).toEqual({ alg: "RS256", kid: "adhoc-rsa" });
    expect(payloadOf(token)).toMatchObject({ aud: [API, OTHER_API], roles: ["admin", "reader"], tenant: "acme", exp: 1 });
    const verified = await run(["verify", token, "--issuer", "https://idp.example.test", "--audience", API, "--jwks", jwksFile, "--json"]);
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout).error.code).toBe("token_expired");
  });

  it("picks a key from a JWK Set with --kid, and asks for --kid when the set has several", async () => {
    const first = await joseJwk("ES256", "set-a");
    const second = await joseJwk("ES256", "set-b");
    const setFile = await writeJson("set.json", { keys: [first.privateJwk, second.privateJwk] });
    const ambiguous = await run(["mint", "--key", setFile, "--issuer", "https://i", "--audience", API]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('is a JWK Set with 2 keys ("set-a", "set-b"); choose one with --kid');
    const picked = tokenOf(await run(["mint", "--key", setFile, "--kid", "set-b", "--issuer", "https://i", "--audience", API]));
    expect(headerOf(picked).kid).toBe("set-b");
    const unknown = await run(["mint", "--key", setFile, "--kid", "set-c", "--issuer", "https://i", "--audience", API]);
    expect(unknown.stderr).toContain('has no key with kid "set-c"; its keys: "set-a", "set-b"');
  });

  it("refuses keys it cannot sign with, each with what to give instead (exit 2, nothing on standard output)", async () => {
    const { privateJwk, publicJwk } = await joseJwk("ES256", "refusals");
    const publicFile = await writeJson("public.jwk.json", publicJwk);
    const octFile = await writeJson("oct.jwk.json", { kty: "oct", k: Buffer.alloc(32, 7).toString("base64url") });
    const weak = await pemKey("weak.pem", "weak", "rsa", "pkcs8", 1024);
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const publicPem = join(dir, "public.pem");
    await writeFile(publicPem, publicKey.export({ format: "pem", type: "spki" }) as string);
    const { privateKey: rsaKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const encryptedPem = join(dir, "encrypted.pem");
    await writeFile(encryptedPem, rsaKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "pass-phrase" }) as string);
    const text = join(dir, "text.txt");
    await writeFile(text, "hello");
    const ecFile = await writeJson("ec-ok.jwk.json", privateJwk);
    const base = ["--issuer", "https://i", "--audience", API];
    const cases: [string[], string][] = [
      [["--key", publicFile, ...base], 'holds a public JWK (no "d"); mint needs the private key'],
      [["--key", octFile, ...base], "holds a symmetric (oct) key"],
      [["--key", weak.file, ...base], "is a 1024-bit RSA key; verifiers refuse RSA keys under 2048 bits (RFC 7518 §3.3)"],
      [["--key", publicPem, ...base], "holds a public key or a certificate; mint needs the private key"],
      [["--key", encryptedPem, ...base], "is an encrypted private key; decrypt a copy for testing"],
      [["--key", text, ...base], "is neither a JWK (JSON) nor PEM"],
      [["--key", join(dir, "absent.pem"), ...base], "no key file at"],
      [["--key", ecFile, "--alg", "RS256", ...base], "RS256 cannot be used with the ec key"],
      [["--key", ecFile, "--alg", "HS256", ...base], '--alg "HS256" is not one mint signs with'],
      [
        ["--key", ecFile, ...base, "--claim", "tenant=acme"],
        `--claim tenant: the value is not JSON; a string needs JSON quotes inside shell quotes: --claim 'tenant="acme"'`,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(["mint", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    }
  });

  it("explains option mistakes with the usage (exit 2)", async () => {
    const { privateJwk } = await joseJwk("ES256", "usage");
    const keyFile = await writeJson("usage.jwk.json", privateJwk);
    const cases: [string[], string][] = [
      [[], "give --config FILE (as the issuer would) or --key FILE (ad hoc)"],
      [["--config", configFile, "--key", keyFile], "give --config or --key, not both"],
      [["--config", configFile], "--client ID is required with --config"],
      [["--config", configFile, "--client", "svc-secret", "--ttl", "60"], "--ttl applies to --key only"],
      [["--key", keyFile, "--audience", API], "--issuer URL is required with --key"],
      [["--key", keyFile, "--issuer", "https://i"], "--audience is required with --key"],
      [["--key", keyFile, "--issuer", "https://i", "--audience", API, "--client", "x"], "--client applies to --config only"],
      [["--key", keyFile, "--issuer", "https://i", "--audience", API, "--ttl", "0"], "--ttl takes a whole number of seconds, more than 0"],
      [["--key", keyFile, "--issuer", "https://i", "--audience", API, "stray"], 'unexpected argument "stray"'],
      [["--bogus"], "Unknown option '--bogus'"],
    ];
    for (const [args, message] of cases) {
      const result = await run(["mint", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain("Usage: tokenward mint");
    }
    const help = await run(["mint", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tokenward mint --config FILE --client ID");
  });
});

describe("tokenward mint: secrets", () => {
  it("never printed a byte of any private key (the issuer's keyset, JWKs, PEM bodies) or the client secret, in any run above", () => {
    // Runs last: the file's tests run in order, and each recorded its output and the key material it used.
    expect(outputs.length).toBeGreaterThan(40);
    expect(secrets.length).toBeGreaterThan(40);
    for (const output of outputs) for (const secret of secrets) expect(output.stdout + output.stderr).not.toContain(secret);
  });
});
