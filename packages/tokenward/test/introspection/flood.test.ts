import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, createVerifier, type IntrospectionOptions, type TokenError } from "../../src/index.js";
import { refusal } from "../helpers/jwks-faults.js";
import { generateKey, jwksOf, signToken } from "../helpers/keys.js";
import { API, AS_ISSUER, activeAnswer, CLIENT_ID, CLIENT_SECRET, json, opaqueToken, useIntrospectionServer, verifierFor } from "./helpers.js";

// What an attacker can make the API send to the authorization server: every
// distinct opaque token is a request, and inactive answers are not
// remembered, so a flood of random tokens must meet a bound on requests in
// flight (refused fast beyond it, never queued), and tokens that are not
// opaque tokens of this server (a JWE) must never be sent at all.

const as = useIntrospectionServer();

/** A gate the endpoint waits on before answering, so requests stay in flight. */
function gated(answer: unknown): { release: () => void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  as.current.handle(async (_request, response) => {
    await gate;
    json(response, answer);
  });
  return { release };
}

async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("requests in flight are bounded (introspection.maxConcurrent)", () => {
  it("beyond the limit, distinct tokens are refused at once with introspection_unavailable, and the server sees no more requests", async () => {
    const { release } = gated(activeAnswer());
    const verifier = verifierFor(as.current.endpoint, { maxConcurrent: 4 });
    const admitted = Array.from({ length: 4 }, () => verifier.verify(opaqueToken()));
    await until(() => as.current.requests.length === 4);

    const flood = Array.from({ length: 50 }, () => opaqueToken());
    const started = performance.now();
    const errors = await Promise.all(flood.map((token) => refusal(verifier.verify(token))));
    expect(performance.now() - started).toBeLessThan(500);
    for (const [index, error] of errors.entries()) {
      expect(error.code).toBe("introspection_unavailable");
      expect(error.status).toBe(503);
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
      expect(error.hint).toContain("introspection.maxConcurrent");
      const exposed = [error.message, error.hint, JSON.stringify(error), error.stack ?? ""].join("\n");
      expect(exposed).not.toContain(flood[index]);
      expect(exposed).not.toContain(CLIENT_SECRET);
    }
    // Not queued: nothing more reached the server while the four were in flight.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(as.current.requests).toHaveLength(4);

    release();
    await Promise.all(admitted);
    // Once they are answered, new tokens are introspected again.
    await verifier.verify(opaqueToken());
    expect(as.current.requests).toHaveLength(5);
  });

  it("the same token, already in flight, still shares its request at the limit", async () => {
    const { release } = gated(activeAnswer());
    const verifier = verifierFor(as.current.endpoint, { maxConcurrent: 1 });
    const token = opaqueToken();
    const first = verifier.verify(token);
    await until(() => as.current.requests.length === 1);
    const second = verifier.verify(token);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(as.current.requests).toHaveLength(1);
  });

  it("is on by default: a flood of 500 distinct tokens sends at most 64 requests at once", async () => {
    const { release } = gated({ active: false });
    const verifier = verifierFor(as.current.endpoint);
    const outcomes = Array.from({ length: 500 }, () => refusal(verifier.verify(opaqueToken())));
    await until(() => as.current.requests.length >= 64);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(as.current.requests).toHaveLength(64);
    release();
    const errors: TokenError[] = await Promise.all(outcomes);
    expect(errors.filter((error) => error.code === "token_inactive")).toHaveLength(64);
    expect(errors.filter((error) => error.code === "introspection_unavailable")).toHaveLength(436);
  });

  it("bounds the introspection of JWTs (introspectJwts) by the same limit: their check refuses fast", async () => {
    const key = await generateKey("ES256", "k1");
    const { release } = gated(activeAnswer());
    const verifier = createVerifier({
      issuers: [
        {
          issuer: AS_ISSUER,
          audience: API,
          jwks: jwksOf(key),
          introspection: { endpoint: as.current.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, introspectJwts: true, maxConcurrent: 2 },
        },
      ],
    });
    const now = Math.floor(Date.now() / 1000);
    const jwt = (sub: string) => signToken(key, { iss: AS_ISSUER, aud: API, sub, iat: now, exp: now + 600 });
    const admitted = [verifier.verify(await jwt("a")), verifier.verify(opaqueToken())];
    await until(() => as.current.requests.length === 2);
    const error = await refusal(verifier.verify(await jwt("b")));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("introspection.maxConcurrent");
    release();
    await Promise.all(admitted);
    expect(as.current.requests).toHaveLength(2);
  });

  for (const value of [0, -1, 1.5, Number.NaN, "8", Number.POSITIVE_INFINITY]) {
    it(`maxConcurrent ${String(value)} is a ConfigError naming the field`, () => {
      let caught: unknown;
      try {
        createVerifier({
          issuers: [
            {
              issuer: AS_ISSUER,
              audience: API,
              introspection: { endpoint: as.current.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, maxConcurrent: value } as IntrospectionOptions,
            },
          ],
        });
      } catch (error) {
        caught = error;
      }
      expect(ConfigError.is(caught)).toBe(true);
      expect((caught as ConfigError).message).toContain("issuers[0].introspection.maxConcurrent");
    });
  }
});

describe("tokens that are not this server's opaque tokens are never sent", () => {
  function jwe(header: Record<string, unknown>): string {
    const part = () => randomBytes(16).toString("base64url");
    return [Buffer.from(JSON.stringify(header)).toString("base64url"), part(), part(), part(), part()].join(".");
  }

  it("a compact JWE (RFC 7516: five segments, a header with enc) is token_malformed, without a request", async () => {
    as.current.answer(activeAnswer());
    const verifier = verifierFor(as.current.endpoint);
    for (const header of [
      { alg: "RSA-OAEP-256", enc: "A256GCM" },
      { alg: "dir", enc: "A128CBC-HS256", iss: "https://other-issuer.example" },
    ]) {
      const token = jwe(header);
      const error = await refusal(verifier.verify(token));
      expect(error.code).toBe("token_malformed");
      expect(error.hint).toContain("JWE");
      expect(error.hint).not.toContain(token);
    }
    expect(as.current.requests).toHaveLength(0);
  });

  it("five dot-separated random segments are still an opaque token (no JOSE header), and are introspected", async () => {
    as.current.answer(activeAnswer());
    const token = Array.from({ length: 5 }, () => randomBytes(12).toString("base64url")).join(".");
    await verifierFor(as.current.endpoint).verify(token);
    expect(as.current.requests).toHaveLength(1);
  });

  it("a slow drip (each byte within the deadline, the whole past it) is cut off at timeoutMs", async () => {
    as.current.handle(async (_request, response) => {
      const body = JSON.stringify(activeAnswer());
      response.writeHead(200, { "content-type": "application/json" });
      for (const char of body) {
        if (response.destroyed) return;
        response.write(char);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      response.end();
    });
    const started = performance.now();
    const error = await refusal(verifierFor(as.current.endpoint, { timeoutMs: 300 }).verify(opaqueToken()));
    const elapsed = performance.now() - started;
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("did not arrive within 300 ms");
    expect(elapsed).toBeLessThan(1_500);
  });
});
