import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportSPKI, importJWK, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, b64, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { type CliResult, ensureBuilt, jsonLine, runCli } from "./run-cli.js";

// Every test spawns the built command line (dist/cli/main.js) as users run it,
// and reads only what a user sees: exit status, standard output and error.

let dir: string;
let jwksFile: string;
let notJsonFile: string;
let notJwksFile: string;
let key: TestKey;
let server: TestServer;
let now: number;

beforeAll(async () => {
  ensureBuilt();
  now = Math.floor(Date.now() / 1000);
  key = await generateKey("RS256", "cli-key-1");
  dir = await mkdtemp(join(tmpdir(), "tokenward-cli-"));
  jwksFile = join(dir, "jwks.json");
  notJsonFile = join(dir, "not-json.json");
  notJwksFile = join(dir, "not-jwks.json");
  await writeFile(jwksFile, JSON.stringify(jwksOf(key)));
  await writeFile(notJsonFile, "keys: [not json");
  await writeFile(notJwksFile, JSON.stringify({ keys: "none" }));
  server = await startServer();
  server.json("/jwks", jwksOf(key));
  server.json("/.well-known/openid-configuration", { issuer: server.origin, jwks_uri: `${server.origin}/jwks` });
  server.route("/broken-jwks", (_request, response) => {
    response.writeHead(500, { "content-type": "text/plain" }).end("internal error");
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The options of a verification against the JWKS file, for ISSUER and AUDIENCE. */
function fileArgs(...extra: string[]): string[] {
  return ["--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", jwksFile, ...extra];
}

function verify(token: string, ...extra: string[]): Promise<CliResult> {
  return runCli(["verify", token, ...fileArgs(...extra)]);
}

/** A refusal as --json prints it; throws unless the output is one JSON line of that shape. */
function refusal(result: CliResult): { code: string; message: string; hint: string } {
  const body = jsonLine(result.stdout);
  if (Object.keys(body).join() !== "valid,error" || body.valid !== false) throw new Error(`not a refusal: ${result.stdout}`);
  const error = body.error as Record<string, unknown>;
  if (Object.keys(error).join() !== "code,message,hint") throw new Error(`the error has keys ${Object.keys(error).join()}`);
  return error as { code: string; message: string; hint: string };
}

function hs256ConfusionToken(claims: JWTPayload): Promise<string> {
  // The classic attack (RFC 8725 §2.1): the issuer's public key, used as an HMAC secret.
  return importJWK(key.jwk, "RS256")
    .then((publicKey) => exportSPKI(publicKey as CryptoKey))
    .then((pem) => new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "at+jwt" }).sign(new TextEncoder().encode(pem)));
}

describe.concurrent("tokenward verify: valid tokens", () => {
  it("accepts a token given as an argument with a JWKS file, and --json prints exactly {valid, issuer, claims} on one line", async ({ expect }) => {
    const claims = accessClaims({ scope: "read:data write:data" }, now);
    const token = await signToken(key, claims);
    const result = await verify(token, "--json", "--require-scope", "read:data", "--require-scope", "write:data");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const body = jsonLine(result.stdout);
    expect(Object.keys(body)).toEqual(["valid", "issuer", "claims"]);
    expect(body).toStrictEqual({ valid: true, issuer: ISSUER, claims });
  });

  it("prints a readable summary without --json: issuer, subject, audience, key and scopes", async ({ expect }) => {
    const token = await signToken(key, accessClaims({ scope: "read:data write:data", roles: ["Admin"] }, now));
    const result = await verify(token);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^valid token\n/);
    expect(result.stdout).toContain(`issuer   ${ISSUER}`);
    expect(result.stdout).toContain("subject  user-1");
    expect(result.stdout).toContain(`audience ${JSON.stringify(AUDIENCE)}`);
    expect(result.stdout).toContain(`alg/kid  RS256 ${key.kid}`);
    expect(result.stdout).toContain("scopes   read:data write:data");
    expect(result.stdout).toContain("roles    Admin");
  });

  it("reads the token from standard input with -, a trailing newline included, and fetches keys from a loopback JWKS URL", async ({ expect }) => {
    const claims = accessClaims({}, now);
    const token = await signToken(key, claims);
    const before = server.count("/jwks");
    const result = await runCli(["verify", "-", "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", `${server.origin}/jwks`, "--json"], {
      stdin: `${token}\n`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(jsonLine(result.stdout)).toStrictEqual({ valid: true, issuer: ISSUER, claims });
    expect(server.count("/jwks")).toBeGreaterThan(before);
  });

  it("discovers the JWKS from the issuer's /.well-known/openid-configuration when --jwks is absent (OpenID Connect Discovery §4)", async ({ expect }) => {
    const claims = accessClaims({ iss: server.origin }, now);
    const token = await signToken(key, claims);
    const before = server.count("/.well-known/openid-configuration");
    const result = await runCli(["verify", token, "--issuer", server.origin, "--audience", AUDIENCE, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(jsonLine(result.stdout)).toStrictEqual({ valid: true, issuer: server.origin, claims });
    expect(server.count("/.well-known/openid-configuration")).toBeGreaterThan(before);
  });

  it("accepts a token whose iss is the second of several --issuer options, and reports that issuer", async ({ expect }) => {
    const claims = accessClaims({}, now);
    const result = await verify(await signToken(key, claims), "--issuer", "https://other.example.com", "--json");
    expect(result.code).toBe(0);
    expect(jsonLine(result.stdout)).toStrictEqual({ valid: true, issuer: ISSUER, claims });
    const reversed = await runCli([
      "verify",
      await signToken(key, claims),
      "--issuer",
      "https://other.example.com",
      "--issuer",
      ISSUER,
      "--audience",
      AUDIENCE,
      "--jwks",
      jwksFile,
      "--json",
    ]);
    expect(reversed.code).toBe(0);
    expect(jsonLine(reversed.stdout)).toStrictEqual({ valid: true, issuer: ISSUER, claims });
  });

  it("exits on its own after verifying, although the JWKS came over a keep-alive connection the server keeps open", async ({ expect }) => {
    // The server would hold the idle connection for a minute; the process must
    // not wait for it (the spawn is killed after 10 s, which fails the test).
    const sockets = new Set<Socket>();
    let connectionHeader: string | undefined;
    const keepAlive: Server = createServer((request, response) => {
      connectionHeader = request.headers.connection;
      response.writeHead(200, { "content-type": "application/json", connection: "keep-alive", "keep-alive": "timeout=60" }).end(JSON.stringify(jwksOf(key)));
    });
    keepAlive.keepAliveTimeout = 60_000;
    keepAlive.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => keepAlive.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = keepAlive.address() as AddressInfo;
      const token = await signToken(key, accessClaims({}, now));
      const result = await runCli(["verify", token, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", `http://127.0.0.1:${port}/jwks`, "--json"], {
        timeoutMs: 10_000,
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      expect(jsonLine(result.stdout).valid).toBe(true);
      expect(connectionHeader).toBe("keep-alive");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => keepAlive.close(() => resolve()));
    }
  });
});

describe.concurrent("tokenward verify: time claims, --now and --clock-tolerance", () => {
  const expiredClaims = () => accessClaims({ iat: now - 1000, exp: now - 500 }, now);

  it("refuses an expired token with token_expired and exit 1 (RFC 7519 §4.1.4)", async ({ expect }) => {
    const token = await signToken(key, expiredClaims());
    const result = await verify(token, "--json");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const error = refusal(result);
    expect(error.code).toBe("token_expired");
    expect(error.hint).toContain("expired");
    expect(result.stdout).not.toContain(token);
  });

  it("accepts the expired token when --now is an instant before its exp", async ({ expect }) => {
    const claims = expiredClaims();
    const result = await verify(await signToken(key, claims), "--now", String(now - 700), "--json");
    expect(result.code).toBe(0);
    expect(jsonLine(result.stdout)).toStrictEqual({ valid: true, issuer: ISSUER, claims });
  });

  it("refuses a fresh token when --now is an instant after its exp", async ({ expect }) => {
    const result = await verify(await signToken(key, accessClaims({}, now)), "--now", String(now + 3600), "--json");
    expect(result.code).toBe(1);
    expect(refusal(result).code).toBe("token_expired");
  });

  it("refuses a token whose iat is after --now with token_not_yet_valid", async ({ expect }) => {
    const result = await verify(await signToken(key, accessClaims({}, now)), "--now", String(now - 600), "--json");
    expect(result.code).toBe(1);
    expect(refusal(result).code).toBe("token_not_yet_valid");
  });

  it("accepts a token expired 500 s ago with --clock-tolerance 600, and refuses it with --clock-tolerance 400", async ({ expect }) => {
    const token = await signToken(key, expiredClaims());
    const [wide, narrow] = await Promise.all([verify(token, "--clock-tolerance", "600", "--json"), verify(token, "--clock-tolerance", "400", "--json")]);
    expect(wide.code).toBe(0);
    expect(jsonLine(wide.stdout).valid).toBe(true);
    expect(narrow.code).toBe(1);
    expect(refusal(narrow).code).toBe("token_expired");
  });

  it("explains a refusal without --json on standard output: code, HTTP status, message and hint", async ({ expect }) => {
    const token = await signToken(key, expiredClaims());
    const result = await verify(token);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid token: token_expired \(HTTP 401\)\n/);
    expect(result.stdout).toContain("  hint: the token expired");
    expect(result.stdout).not.toContain(token);
    expect(result.stderr).not.toContain(token);
  });
});

describe.concurrent("tokenward verify: attacks and mistakes exit 1 with their code", () => {
  /** Verifies with --json and checks what every refusal must be: exit 1, one JSON line, the token nowhere in the output. */
  async function refuse(token: string, ...extra: string[]): Promise<{ code: string; message: string; hint: string }> {
    const result = await verify(token, "--json", ...extra);
    if (result.code !== 1) throw new Error(`exit ${result.code}, expected 1: ${result.stdout}${result.stderr}`);
    if (result.stdout.includes(token) || result.stderr.includes(token)) throw new Error("the output contains the token");
    return refusal(result);
  }

  it("refuses an iss that differs by a trailing slash with issuer_untrusted, and the hint names the slash", async ({ expect }) => {
    const error = await refuse(await signToken(key, accessClaims({ iss: `${ISSUER}/` }, now)));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain("trailing slash");
  });

  it("refuses a token for another API with audience_mismatch (RFC 7519 §4.1.3)", async ({ expect }) => {
    const error = await refuse(await signToken(key, accessClaims({ aud: "https://other-api.example.com" }, now)));
    expect(error.code).toBe("audience_mismatch");
  });

  it('refuses an unsigned token (alg "none") with algorithm_not_allowed (RFC 8725 §3.1)', async ({ expect }) => {
    const token = `${b64({ alg: "none", typ: "at+jwt" })}.${b64(accessClaims({}, now))}.`;
    const error = await refuse(token);
    expect(error.code).toBe("algorithm_not_allowed");
    expect(error.hint).toContain("none");
  });

  it("refuses an HS256 token signed with the RSA public key as secret: algorithm_not_allowed (algorithm confusion, RFC 8725 §2.1)", async ({ expect }) => {
    const error = await refuse(await hs256ConfusionToken(accessClaims({}, now)));
    expect(error.code).toBe("algorithm_not_allowed");
    expect(error.hint).toContain("HS256");
  });

  it("refuses a token whose signature was altered with signature_invalid", async ({ expect }) => {
    const token = await signToken(key, accessClaims({}, now));
    const middle = token.lastIndexOf(".") + 20;
    const tampered = `${token.slice(0, middle)}${token[middle] === "A" ? "B" : "A"}${token.slice(middle + 1)}`;
    const error = await refuse(tampered);
    expect(error.code).toBe("signature_invalid");
  });

  it("refuses a token whose payload was rewritten to grant more scope with signature_invalid", async ({ expect }) => {
    const [header, , signature] = (await signToken(key, accessClaims({}, now))).split(".");
    const forged = `${header}.${b64(accessClaims({ scope: "admin" }, now))}.${signature}`;
    const error = await refuse(forged);
    expect(error.code).toBe("signature_invalid");
  });

  it("refuses a token signed by a key the JWKS does not hold with key_not_found, and names the kids it does hold", async ({ expect }) => {
    const stranger = await generateKey("RS256", "unknown-kid");
    const error = await refuse(await signToken(stranger, accessClaims({}, now)));
    expect(error.code).toBe("key_not_found");
    expect(error.hint).toContain(key.kid);
  });

  it("refuses a string that is not a JWT with token_malformed", async ({ expect }) => {
    const error = await refuse("this-is-not-a-jwt-but-an-opaque-token");
    expect(error.code).toBe("token_malformed");
  });

  it("refuses an ID-JAG (typ oauth-id-jag+jwt) offered as an access token with type_not_allowed (RFC 8725 §3.11)", async ({ expect }) => {
    const error = await refuse(await signToken(key, accessClaims({}, now), { typ: "oauth-id-jag+jwt" }));
    expect(error.code).toBe("type_not_allowed");
    expect(error.hint).toContain("oauth-id-jag+jwt");
  });

  it("refuses a valid token that lacks a --require-scope with insufficient_scope (RFC 6750 §3.1)", async ({ expect }) => {
    const error = await refuse(await signToken(key, accessClaims({ scope: "read:data" }, now)), "--require-scope", "write:data");
    expect(error.code).toBe("insufficient_scope");
  });

  it("refuses with jwks_unavailable, exit 1, when the JWKS URL answers HTTP 500", async ({ expect }) => {
    const token = await signToken(key, accessClaims({}, now));
    const result = await runCli(["verify", token, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", `${server.origin}/broken-jwks`, "--json"]);
    expect(result.code).toBe(1);
    const error = refusal(result);
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("500");
    expect(result.stdout).not.toContain(token);
  });
});

describe.concurrent("tokenward verify: usage and configuration errors exit 2, explained on standard error", () => {
  const sample = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbSJ9.c2lnbmF0dXJl";

  /** Runs and checks the common shape of a usage error: exit 2, nothing on standard output. */
  async function usage(args: string[]): Promise<string> {
    const result = await runCli(args);
    if (result.code !== 2) throw new Error(`exit ${result.code}, expected 2: ${result.stdout}${result.stderr}`);
    if (result.stdout !== "") throw new Error(`standard output should be empty: ${result.stdout}`);
    return result.stderr;
  }

  it("requires --issuer", async ({ expect }) => {
    expect(await usage(["verify", sample, "--audience", AUDIENCE, "--jwks", jwksFile])).toContain("--issuer is required");
  });

  it("requires --audience", async ({ expect }) => {
    expect(await usage(["verify", sample, "--issuer", ISSUER, "--jwks", jwksFile])).toContain("--audience is required");
  });

  it("rejects an unknown option and names it", async ({ expect }) => {
    expect(await usage(["verify", sample, ...fileArgs("--frobnicate")])).toContain("--frobnicate");
  });

  it("rejects a --now that is not a number", async ({ expect }) => {
    const stderr = await usage(["verify", sample, ...fileArgs("--now", "tomorrow")]);
    expect(stderr).toContain("--now");
    expect(stderr).toContain("tomorrow");
  });

  it("rejects a --jwks file that does not exist, naming the path", async ({ expect }) => {
    const missing = join(dir, "no-such-file.json");
    const stderr = await usage(["verify", sample, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", missing]);
    expect(stderr).toContain(missing);
    expect(stderr).toContain("ENOENT");
  });

  it("rejects a --jwks file that is not JSON", async ({ expect }) => {
    const stderr = await usage(["verify", sample, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", notJsonFile]);
    expect(stderr).toContain("not JSON");
  });

  it("rejects a --jwks file that is JSON but not a JWK Set as a configuration error (RFC 7517 §5)", async ({ expect }) => {
    const stderr = await usage(["verify", sample, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", notJwksFile]);
    expect(stderr).toContain("configuration error");
    expect(stderr).toContain("jwks");
  });

  it("refuses plain http keys on a non-loopback host, by --jwks or by discovery, as a configuration error", async ({ expect }) => {
    const [jwks, discovery] = await Promise.all([
      usage(["verify", sample, "--issuer", ISSUER, "--audience", AUDIENCE, "--jwks", "http://keys.example.com/jwks.json"]),
      usage(["verify", sample, "--issuer", "http://issuer.example.com", "--audience", AUDIENCE]),
    ]);
    expect(jwks).toContain("configuration error");
    expect(jwks).toContain("non-loopback");
    expect(discovery).toContain("configuration error");
    expect(discovery).toContain("non-loopback");
  });

  it("rejects an empty standard input for -", async ({ expect }) => {
    const result = await runCli(["verify", "-", ...fileArgs()], { stdin: "\n" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("standard input was empty");
  });

  it("rejects more than one token", async ({ expect }) => {
    expect(await usage(["verify", sample, sample, ...fileArgs()])).toContain("one token at a time");
  });

  it("rejects an unknown command and lists the commands", async ({ expect }) => {
    const stderr = await usage(["verifyy", sample]);
    expect(stderr).toContain('unknown command "verifyy"');
    expect(stderr).toContain("verify");
    expect(stderr).toContain("decode");
  });

  it("explains on standard error that no command was given, while --help prints the usage on standard output with exit 0", async ({ expect }) => {
    const [stderr, help] = await Promise.all([usage([]), runCli(["--help"])]);
    expect(stderr).toContain("no command given");
    expect(stderr).toContain("Usage: tokenward <command>");
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toContain("Usage: tokenward <command>");
  });

  it("prints the verify usage with --help and exits 0", async ({ expect }) => {
    const result = await runCli(["verify", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: tokenward verify <token | ->");
    expect(result.stdout).toContain("--require-scope");
  });
});

describe.concurrent("tokenward decode", () => {
  it("prints the header and payload marked UNVERIFIED, with the times in UTC", async ({ expect }) => {
    const token = await signToken(key, accessClaims({}, now));
    const result = await runCli(["decode", token]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^UNVERIFIED: /);
    expect(result.stdout).toContain(`"kid": "${key.kid}"`);
    expect(result.stdout).toContain('"sub": "user-1"');
    expect(result.stdout).toContain(`exp       ${new Date((now + 300) * 1000).toISOString()}`);
    expect(result.stdout).toContain("signature: 256 bytes");
    expect(result.stdout).not.toContain("verification would refuse");
  });

  it("prints exactly {verified:false, header, payload, problems} on one line with --json, reading - from standard input", async ({ expect }) => {
    const claims = accessClaims({}, now);
    const token = await signToken(key, claims);
    const result = await runCli(["decode", "-", "--json"], { stdin: `${token}\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const body = jsonLine(result.stdout);
    expect(Object.keys(body)).toEqual(["verified", "header", "payload", "problems"]);
    expect(body).toStrictEqual({ verified: false, header: { alg: "RS256", kid: key.kid, typ: "at+jwt" }, payload: claims, problems: [] });
  });

  it("decodes a forged or expired token all the same: decode never verifies", async ({ expect }) => {
    const claims = accessClaims({ iat: now - 1000, exp: now - 500 }, now);
    const token = `${b64({ alg: "none" })}.${b64(claims)}.`;
    const result = await runCli(["decode", token, "--json"]);
    expect(result.code).toBe(0);
    expect(jsonLine(result.stdout)).toStrictEqual({ verified: false, header: { alg: "none" }, payload: claims, problems: [] });
  });

  it("lists the problems of a non-canonical token (RFC 7515 §2) that verify refuses as token_malformed", async ({ expect }) => {
    const [header, payload, signature] = (await signToken(key, accessClaims({}, now))).split(".");
    const padded = `${header}.${payload}=.${signature}`;
    const [decoded, verified] = await Promise.all([runCli(["decode", padded, "--json"]), verify(padded, "--json")]);
    expect(decoded.code).toBe(0);
    const body = jsonLine(decoded.stdout);
    expect(body.problems).toEqual(["the payload is not canonical base64url (RFC 7515 §2)"]);
    expect((body.payload as Record<string, unknown>).sub).toBe("user-1");
    expect(verified.code).toBe(1);
    expect(refusal(verified).code).toBe("token_malformed");
  });

  it("names the problems in the readable output too", async ({ expect }) => {
    const token = `${b64({ alg: "RS256" })}.${b64("not json at all")}.c2ln`;
    const result = await runCli(["decode", token]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("verification would refuse this shape:");
    expect(result.stdout).toContain("  - the payload is not JSON");
  });

  it("refuses a five-part JWE with exit 1 and a hint, without echoing the token", async ({ expect }) => {
    const jwe = `${b64({ alg: "RSA-OAEP-256", enc: "A256GCM" })}.${b64("encrypted-key-bytes")}.${b64("initialization-vector")}.${b64("ciphertext-bytes-here")}.${b64("authentication-tag")}`;
    const result = await runCli(["decode", jwe]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("token_malformed");
    expect(result.stderr).toContain("hint:");
    expect(result.stderr).toContain("JWE");
    expect(result.stderr).not.toContain(jwe);
  });

  it("refuses a JWE in verify too, with token_malformed", async ({ expect }) => {
    const jwe = `${b64({ alg: "RSA-OAEP-256", enc: "A256GCM" })}.${b64("k")}.${b64("iv")}.${b64("ciphertext")}.${b64("tag")}`;
    const result = await verify(jwe, "--json");
    expect(result.code).toBe(1);
    const error = refusal(result);
    expect(error.code).toBe("token_malformed");
    expect(error.hint).toContain("JWE");
    expect(result.stdout).not.toContain(jwe);
  });

  it("rejects an unknown option and a missing token with exit 2", async ({ expect }) => {
    const [unknown, missing] = await Promise.all([runCli(["decode", "a.b.c", "--verify"]), runCli(["decode"])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--verify");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("give the token");
  });
});
