import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, b64, generateKey, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { type CliResult, ensureBuilt, jsonLine, runCli } from "./run-cli.js";

// `tokenward doctor` spawned as users run it, against issuers on 127.0.0.1,
// with tokens signed by jose: each failure must be a ✗ line whose hint names
// the fix, the verdict of the real verification must follow, and the exit
// status must say whether anything failed.

interface JsonCheck {
  id: string;
  title: string;
  status: "pass" | "fail" | "skip";
  summary: string;
  hint?: string;
  data?: Record<string, unknown>;
}

let server: TestServer;
let key: TestKey;
let stranger: TestKey;
let issuer: string;
let dir: string;
let jwksFile: string;
let now: number;

function doctor(...args: string[]): Promise<CliResult> {
  return runCli(["doctor", ...args]);
}

/** The checks of a --json run, by id; throws unless standard output is one JSON object. */
function checksOf(result: CliResult): Map<string, JsonCheck> {
  const body = jsonLine(result.stdout);
  return new Map((body.checks as JsonCheck[]).map((check) => [check.id, check]));
}

function claims(overrides: Record<string, unknown> = {}) {
  return accessClaims({ iss: issuer, ...overrides }, now);
}

beforeAll(async () => {
  ensureBuilt();
  now = Math.floor(Date.now() / 1000);
  key = await generateKey("ES256", "doctor-key");
  stranger = await generateKey("ES256", "stranger-key");
  server = await startServer();
  issuer = `${server.origin}/idp`;
  server.json("/idp/.well-known/openid-configuration", { issuer, jwks_uri: `${issuer}/jwks` });
  server.json("/idp/jwks", jwksOf(key));
  dir = await mkdtemp(join(tmpdir(), "tokenward-doctor-"));
  jwksFile = join(dir, "jwks.json");
  await writeFile(jwksFile, JSON.stringify(jwksOf(key)));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("tokenward doctor: a healthy setup", () => {
  it("passes every check for the issuer alone, one ✓ line each, and exits 0", async ({ expect }) => {
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const title of ["URL policy", "discovery", "issuer", "JWKS reachable", "JWKS valid", "usable keys", "duplicate kids", "weak RSA keys", "clock"]) {
      expect(result.stdout).toMatch(new RegExp(`^✓ ${title} `, "m"));
    }
    expect(result.stdout).not.toContain("✗");
    expect(result.stdout).toContain("✓ all checks passed");
  });

  it("checks a valid token claim by claim, then verifies it for real; --json gives one object with every check", async ({ expect }) => {
    const token = await signToken(key, claims());
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(0);
    const body = jsonLine(result.stdout);
    expect(body).toMatchObject({ ok: true, issuer, audiences: [AUDIENCE] });
    const checks = checksOf(result);
    expect([...checks.keys()]).toEqual([
      "url_policy",
      "discovery",
      "issuer",
      "jwks_reachable",
      "jwks_valid",
      "jwks_keys",
      "jwks_duplicate_kids",
      "jwks_weak_rsa",
      "clock",
      "token_decoded",
      "token_issuer",
      "token_audience",
      "token_exp",
      "token_nbf",
      "token_iat",
      "token_kid",
      "token_alg",
      "token_typ",
      "token_verify",
    ]);
    for (const check of checks.values()) expect(check.status, check.id).toBe(check.id === "token_nbf" ? "skip" : "pass");
    expect(checks.get("token_verify")?.data).toEqual({ valid: true });
    expect(checks.get("token_kid")?.data).toEqual({ kid: "doctor-key", kids: ["doctor-key"] });
    expect(result.stdout).not.toContain(token);
  });

  it("reads the token from standard input with -, and takes the keys from a --jwks file", async ({ expect }) => {
    const token = await signToken(key, claims());
    const result = await runCli(["doctor", "--issuer", issuer, "--audience", AUDIENCE, "--jwks", jwksFile, "-"], { stdin: `${token}\n` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`✓ JWKS reachable  read from ${jwksFile}`);
    expect(result.stdout).toContain("✓ verification    valid: createVerifier accepts it");
  });

  it("skips the audience without --audience and says so, rather than passing it", async ({ expect }) => {
    const result = await doctor("--issuer", issuer, await signToken(key, claims()));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('- token aud       not checked: no --audience given (the token says "https://api.example.com")');
    expect(result.stdout).toContain("(audience not checked: give --audience)");
  });
});

describe.concurrent("tokenward doctor: tokens that fail", () => {
  it("an expired token: exp ✗ with the seconds, and the verifier's token_expired", async ({ expect }) => {
    const token = await signToken(key, claims({ iat: now - 900, exp: now - 600 }));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    const exp = checks.get("token_exp");
    expect(exp?.status).toBe("fail");
    expect(exp?.summary).toMatch(/^expired 10 min [0-9]+ s \(6[0-9]{2} s\) ago \(exp /);
    expect((exp?.data?.secondsLeft as number) <= -600).toBe(true);
    expect(exp?.hint).toContain("get a new token");
    expect(checks.get("token_verify")).toMatchObject({ status: "fail", data: { valid: false, code: "token_expired" } });
    // Everything about the issuer itself is still fine.
    expect(checks.get("jwks_keys")?.status).toBe("pass");
    const human = await doctor("--issuer", issuer, "--audience", AUDIENCE, token);
    expect(human.stdout).toMatch(/✗ token exp +expired 10 min/);
    expect(human.stdout).toMatch(/✗ verification +token_expired \(HTTP 401\)/);
    expect(human.stdout).toMatch(/✗ 2 checks failed \(16 passed, 2 failed, 1 not applicable\)/);
  });

  it("a token for another audience: aud ✗ naming both, and audience_mismatch", async ({ expect }) => {
    const token = await signToken(key, claims({ aud: "https://other-api.example.com" }));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_audience")).toMatchObject({
      status: "fail",
      summary: `the token is for "https://other-api.example.com", not "${AUDIENCE}"`,
    });
    expect(checks.get("token_audience")?.hint).toContain(`request one for "${AUDIENCE}"`);
    expect(checks.get("token_verify")?.data?.code).toBe("audience_mismatch");
  });

  it("an audience that differs by a trailing slash is named as such", async ({ expect }) => {
    const token = await signToken(key, claims({ aud: `${AUDIENCE}/` }));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`"${AUDIENCE}/" differs only by a trailing slash (the token has one, the configuration does not)`);
  });

  it("a token signed by a key the JWKS lacks: kid ✗ listing the kids there, and key_not_found", async ({ expect }) => {
    const token = await signToken(stranger, claims());
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_kid")).toMatchObject({ status: "fail", data: { kid: "stranger-key", kids: ["doctor-key"] } });
    expect(checks.get("token_kid")?.summary).toBe(`"stranger-key" is not in the JWKS at ${issuer}/jwks, which has "doctor-key"`);
    expect(checks.get("token_kid")?.hint).toContain("another issuer, tenant or environment");
    expect(checks.get("token_verify")?.data?.code).toBe("key_not_found");
  });

  it("a token from an issuer spelled with a trailing slash: iss ✗ with the string to configure", async ({ expect }) => {
    const token = await signToken(key, claims({ iss: `${issuer}/` }));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ token iss       the token names "${issuer}/", which differs only by a trailing slash (the token has one, the configuration does not)`,
    );
    expect(result.stdout).toContain(`hint: configure the issuer as "${issuer}/"`);
    expect(result.stdout).toMatch(/✗ verification +issuer_untrusted/);
  });

  it("a token valid only in the future: nbf ✗ with the seconds ahead, and token_not_yet_valid", async ({ expect }) => {
    const token = await signToken(key, claims({ nbf: now + 120 }));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_nbf")?.status).toBe("fail");
    expect(checks.get("token_nbf")?.summary).toMatch(/^1(0\d|1\d|20) s in the future \(nbf /);
    const ahead = checks.get("token_nbf")?.data?.secondsAhead as number;
    expect(ahead).toBeGreaterThan(100);
    expect(ahead).toBeLessThanOrEqual(120);
    expect(checks.get("token_nbf")?.hint).toContain("synchronise both with NTP");
    expect(checks.get("token_verify")?.data?.code).toBe("token_not_yet_valid");
  });

  it("an HMAC token: alg ✗ naming algorithm confusion (RFC 8725 §2.1)", async ({ expect }) => {
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "at+jwt" })
      .sign(new TextEncoder().encode("a-shared-secret-of-thirty-two-bytes!"));
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_alg")?.status).toBe("fail");
    expect(checks.get("token_alg")?.hint).toContain("algorithm-confusion attack (RFC 8725 §2.1)");
    expect(checks.get("token_verify")?.data?.code).toBe("algorithm_not_allowed");
  });

  it("an ID-JAG presented as an access token: typ ✗ saying what it is", async ({ expect }) => {
    const token = await signToken(key, claims(), { typ: "oauth-id-jag+jwt" });
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_typ")?.summary).toContain("Identity Assertion JWT Authorization Grant");
    expect(checks.get("token_verify")?.data?.code).toBe("type_not_allowed");
  });

  it("something that is not a JWT: decoded ✗, the token checks skipped, the verifier's token_malformed", async ({ expect }) => {
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, "not-a-token", "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("token_decoded")?.status).toBe("fail");
    expect(checks.get("token_decoded")?.summary).toContain("three dot-separated segments");
    for (const id of ["token_issuer", "token_audience", "token_exp", "token_kid", "token_alg", "token_typ"]) expect(checks.get(id)?.status).toBe("skip");
    expect(checks.get("token_verify")?.data?.code).toBe("token_malformed");
  });

  it("a token whose header is not canonical base64url: decoded ✗ with the problem", async ({ expect }) => {
    const token = await signToken(key, claims());
    const [, payload, signature] = token.split(".");
    const result = await doctor("--issuer", issuer, "--audience", AUDIENCE, `${b64({ alg: "ES256", kid: key.kid })}=.${payload}.${signature}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ token decoded .*not canonical base64url/);
  });
});

describe.concurrent("tokenward doctor: the issuer side", () => {
  it("a server clock 5 minutes ahead: clock ✗ with the skew, and the token it just issued fails iat with the cause named", async ({ expect }) => {
    const skewed = `${server.origin}/skewed`;
    const at = (body: unknown) => (_request: unknown, response: ServerResponse) => {
      response.writeHead(200, { "content-type": "application/json", date: new Date(Date.now() + 300_000).toUTCString() }).end(JSON.stringify(body));
    };
    server.route("/skewed/.well-known/openid-configuration", at({ issuer: skewed, jwks_uri: `${skewed}/jwks` }));
    server.route("/skewed/jwks", at(jwksOf(key)));
    // What that issuer would sign now, by its own clock.
    const token = await signToken(key, claims({ iss: skewed, iat: now + 300, exp: now + 600 }));
    const result = await doctor("--issuer", skewed, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    const clock = checks.get("clock");
    expect(clock?.status).toBe("fail");
    expect(Math.abs((clock?.data?.skewSeconds as number) - 300)).toBeLessThanOrEqual(1);
    expect(clock?.hint).toContain("token_not_yet_valid");
    expect(checks.get("token_iat")?.status).toBe("fail");
    expect(checks.get("token_iat")?.hint).toMatch(/measured: the server's clock is (4 min 59|5 min [01]) s ahead of ours/);
    expect(checks.get("token_verify")?.data?.code).toBe("token_not_yet_valid");
  });

  it("a JWKS that is down: reachable ✗ with the fix, the token's kid skipped, and jwks_unavailable", async ({ expect }) => {
    const down = `${server.origin}/down`;
    server.json("/down/.well-known/openid-configuration", { issuer: down, jwks_uri: `${down}/jwks` });
    server.route("/down/jwks", (_request, response) => {
      response.writeHead(503, { "content-type": "text/plain" }).end("maintenance");
    });
    const token = await signToken(key, claims({ iss: down }));
    const result = await doctor("--issuer", down, "--audience", AUDIENCE, token, "--json");
    expect(result.code).toBe(1);
    const checks = checksOf(result);
    expect(checks.get("jwks_reachable")).toMatchObject({ status: "fail", summary: `jwks_uri ${down}/jwks: it answered HTTP 503` });
    expect(checks.get("token_kid")?.status).toBe("skip");
    expect(checks.get("token_verify")?.data?.code).toBe("jwks_unavailable");
    // The verification went through the same fetches: one request per URL for the whole run.
    expect(server.count("/down/jwks")).toBe(1);
  });

  it("a metadata document naming the issuer with a trailing slash: issuer ✗, and the real verification agrees", async ({ expect }) => {
    const slash = `${server.origin}/slashed`;
    server.json("/slashed/.well-known/openid-configuration", { issuer: `${slash}/`, jwks_uri: `${slash}/jwks` });
    server.json("/slashed/jwks", jwksOf(key));
    const token = await signToken(key, claims({ iss: slash }));
    const result = await doctor("--issuer", slash, "--audience", AUDIENCE, token);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ issuer +the metadata at .* names ".*\/slashed\/", which differs only by a trailing slash \(the metadata has one/);
    expect(result.stdout).toMatch(/✗ verification +jwks_unavailable/);
  });

  it("a plain-http, non-loopback issuer or --jwks URL: URL policy ✗ with the reason", async ({ expect }) => {
    const issuerResult = await doctor("--issuer", "http://issuer.example.com", "--json");
    expect(issuerResult.code).toBe(1);
    expect(checksOf(issuerResult).get("url_policy")).toMatchObject({ status: "fail" });
    expect(checksOf(issuerResult).get("url_policy")?.summary).toContain("uses http on a non-loopback host");
    expect(checksOf(issuerResult).get("discovery")?.status).toBe("skip");
    const jwksResult = await doctor("--issuer", issuer, "--jwks", "http://keys.example.com/jwks", "--json");
    expect(jwksResult.code).toBe(1);
    expect(checksOf(jwksResult).get("url_policy")?.summary).toBe(
      '--jwks http://keys.example.com/jwks: "http://keys.example.com/jwks" uses http on a non-loopback host; use https (http is accepted only on 127.0.0.1, ::1 and localhost, or with dangerouslyAllowInsecureHttp)',
    );
  });

  it("a non-URL issuer with a --jwks file is fine: nothing is fetched", async ({ expect }) => {
    const token = await signToken(key, claims({ iss: "my-local-issuer" }));
    const result = await doctor("--issuer", "my-local-issuer", "--audience", AUDIENCE, "--jwks", jwksFile, token, "--json");
    expect(result.code).toBe(0);
    const checks = checksOf(result);
    expect(checks.get("discovery")?.status).toBe("skip");
    expect(checks.get("clock")?.status).toBe("skip");
    expect(checks.get("token_verify")?.status).toBe("pass");
  });
});

describe.concurrent("tokenward doctor: usage", () => {
  it("exits 2 with the usage on standard error for every usage mistake", async ({ expect }) => {
    const cases = [
      [],
      ["--audience", AUDIENCE],
      ["--issuer", issuer, "--issuer", `${issuer}/2`],
      ["--issuer", issuer, "one", "two"],
      ["--issuer", issuer, "--clock-tolerance", "soon"],
      ["--issuer", issuer, "--bogus"],
      ["--issuer", issuer, "--jwks", join(dir, "missing.json")],
    ];
    for (const args of cases) {
      const result = await doctor(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("tokenward doctor: ");
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    }
    const empty = await runCli(["doctor", "--issuer", issuer, "-"], { stdin: "  \n" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("standard input was empty");
  });

  it("prints its usage with --help, and the command list names it", async ({ expect }) => {
    const help = await doctor("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tokenward doctor --issuer URL");
    const list = await runCli(["--help"]);
    expect(list.stdout).toMatch(/^ {2}doctor +check an issuer/m);
    expect(list.stdout).toMatch(/^ {2}discover +fetch an issuer's metadata/m);
    expect(list.stdout).toMatch(/^ {2}mint +sign a token for local testing/m);
  });
});
