import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, failing, refusal, sleep } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

describe("JWKS single flight: one request however many verifications wait", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  for (const crypto of BACKENDS) {
    it(`500 concurrent verifications on a cold verifier cause exactly one JWKS request, and all 500 succeed (${crypto})`, async () => {
      const key = await generateKey("ES256");
      // A slow answer keeps the window open, so every verification arrives while the one fetch is in flight.
      server.route("/jwks", async (_request, response) => {
        await sleep(50);
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwksOf(key)));
      });
      const verifier = createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }] });
      const tokens = await Promise.all(Array.from({ length: 500 }, (_, index) => signToken(key, accessClaims({ sub: `user-${index}` }))));

      const results = await Promise.all(tokens.map((token) => verifier.verify(token)));

      expect(server.count("/jwks")).toBe(1);
      expect(results.map((result) => result.subject)).toEqual(tokens.map((_, index) => `user-${index}`));
      // And once cached, later verifications make no request at all.
      await verifier.verify(tokens[0] as string);
      expect(server.count("/jwks")).toBe(1);
    });
  }

  it("concurrent verifications against a failing endpoint share one failed attempt", async () => {
    const key = await generateKey("ES256");
    server.route("/jwks", async (request, response) => {
      await sleep(30);
      failing(500)(request, response);
    });
    const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }] });
    const token = await signToken(key, accessClaims());

    const errors = await Promise.all(Array.from({ length: 100 }, () => refusal(verifier.verify(token))));

    expect(server.count("/jwks")).toBe(1);
    for (const error of errors) {
      expect(error.code).toBe("jwks_unavailable");
      expect(error.hint).toContain("HTTP 500");
    }
  });

  it("issuers configured with the same jwksUri share one cache and one request", async () => {
    const key = await generateKey("ES256");
    server.json("/jwks", jwksOf(key));
    const jwksUri = `${server.origin}/jwks`;
    const other = "https://other-spelling.example.com";
    const verifier = createVerifier({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwksUri },
        { issuer: other, audience: AUDIENCE, jwksUri },
      ],
    });
    const [first, second] = await Promise.all([
      verifier.verify(await signToken(key, accessClaims())),
      verifier.verify(await signToken(key, accessClaims({ iss: other }))),
    ]);
    expect(first.issuer.issuer).toBe(ISSUER);
    expect(second.issuer.issuer).toBe(other);
    expect(server.count("/jwks")).toBe(1);
  });

  it("warmUp fetches the JWKS ahead of the first token and reports what it holds", async () => {
    const key = await generateKey("ES256", "warm-key");
    server.json("/jwks", jwksOf(key));
    const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }] });
    const [report] = await verifier.warmUp();
    expect(report).toMatchObject({ issuer: ISSUER, ok: true, url: `${server.origin}/jwks`, kids: ["warm-key"], lastError: undefined });
    expect(server.count("/jwks")).toBe(1);
    await verifier.verify(await signToken(key, accessClaims()));
    expect(server.count("/jwks")).toBe(1);
  });
});
