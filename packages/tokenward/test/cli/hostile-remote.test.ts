import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { ensureBuilt, runCli } from "./run-cli.js";

// `discover` and `doctor` print what remote servers and tokens say. A hostile
// metadata document or token must not drive the operator's terminal (ESC,
// OSC, BEL, C1 controls reach the screen raw), and doctor fetches only what
// the operator named on the command line: never a token's iss, jku or x5u.

/** ESC-based sequences (CSI colour, OSC window title with BEL), a raw C1 CSI, and a lone CR that rewrites the line. */
const HOSTILE = "\u001b[31mred\u001b[0m\u001b]0;pwned\u0007\u009b2J\rX";

/** A control character other than tab and line feed, or a C1 control: what a terminal acts on. */
function controls(text: string): string[] {
  const found: string[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f)) found.push(`U+${code.toString(16).padStart(4, "0")}`);
  }
  return found;
}

let server: TestServer;
let elsewhere: TestServer;
let key: TestKey;
let issuer: string;
let hostileIssuer: string;
const strayRequests: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  key = await generateKey("ES256", "k1");
  server = await startServer();
  elsewhere = await startServer();
  // Every URL a token below names, as a verifier that trusted the token would fetch it.
  for (const path of ["/idp/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/idp", "/idp/jwks", "/jku", "/x5u"]) {
    elsewhere.route(path, (request, response) => {
      strayRequests.push(request.url ?? "");
      response.writeHead(404).end();
    });
  }
  issuer = `${server.origin}/good`;
  server.json("/good/.well-known/openid-configuration", { issuer, jwks_uri: `${issuer}/jwks` });
  server.json("/good/jwks", { keys: [{ ...jwksOf(key).keys[0], kid: HOSTILE }] });
  hostileIssuer = `${server.origin}/evil`;
  // jwks_uri not a URL, carrying escape sequences: its refusal is printed.
  server.json("/evil/.well-known/openid-configuration", { issuer: `${hostileIssuer}${HOSTILE}`, jwks_uri: HOSTILE });
  server.json("/evil/.well-known/oauth-authorization-server", { issuer: hostileIssuer, jwks_uri: HOSTILE });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await elsewhere?.close();
});

describe("escape sequences from remote documents never reach the terminal", () => {
  it("discover: a metadata document whose issuer and jwks_uri carry escape sequences", async () => {
    const result = await runCli(["discover", hostileIssuer]);
    expect(result.code).toBe(1);
    expect(controls(result.stdout)).toEqual([]);
    expect(controls(result.stderr)).toEqual([]);
  });

  it("doctor: the same document, and the real verification's hint", async () => {
    const token = await signToken(key, accessClaims({ iss: hostileIssuer }));
    const result = await runCli(["doctor", "--issuer", hostileIssuer, "--audience", AUDIENCE, token]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗");
    expect(controls(result.stdout)).toEqual([]);
    expect(controls(result.stderr)).toEqual([]);
  });

  it("discover and doctor: a JWKS whose kid carries escape sequences", async () => {
    const token = await signToken(key, accessClaims({ iss: issuer, sub: HOSTILE }));
    for (const args of [
      ["discover", issuer],
      ["doctor", "--issuer", issuer, "--audience", AUDIENCE, token],
    ]) {
      const result = await runCli(args);
      expect(controls(result.stdout)).toEqual([]);
      expect(controls(result.stderr)).toEqual([]);
    }
  });
});

describe("doctor fetches only what the operator named", () => {
  it("a token's iss, jku and x5u pointing at another server are never fetched", async () => {
    const stranger = await generateKey("ES256", "k1");
    const token = await signToken(stranger, accessClaims({ iss: `${elsewhere.origin}/idp` }), {
      jku: `${elsewhere.origin}/jku`,
      x5u: `${elsewhere.origin}/x5u`,
    });
    const result = await runCli(["doctor", "--issuer", issuer, "--audience", AUDIENCE, token]);
    expect(result.code).toBe(1);
    expect(strayRequests).toEqual([]);
  });
});

describe("hints quote remote values escaped (they reach logs as well as terminals)", () => {
  it("show escapes DEL, C1 controls and bidirectional overrides, which JSON.stringify leaves raw", async () => {
    const { show } = await import("../../src/errors/hints.js");
    const shown = show("a\u009b2Jb\u007fc\u202ed\u2066e");
    expect(controls(shown)).toEqual([]);
    expect(shown).toBe('"a\\u009b2Jb\\u007fc\\u202ed\\u2066e"');
  });

  it("fetchUrlProblem quotes the refused URL escaped", async () => {
    const { fetchUrlProblem } = await import("../../src/jwks/url-policy.js");
    for (const raw of [HOSTILE, `http://example.com/${HOSTILE}`, `ftp://x/${HOSTILE}`]) {
      expect(controls(fetchUrlProblem(raw, false) ?? "")).toEqual([]);
    }
  });
});
