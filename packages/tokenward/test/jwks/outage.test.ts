import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createVerifier, type JwksOptions } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, failing, refusal, silent, sleep, stallsBody } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

function verifierFor(jwks: JwksOptions, crypto: (typeof BACKENDS)[number] = "node") {
  return createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }], jwks });
}

async function lastError(verifier: ReturnType<typeof verifierFor>): Promise<string | undefined> {
  const [report] = await verifier.warmUp();
  return report?.lastError;
}

describe("the JWKS endpoint goes down after keys were cached (stale-if-error)", () => {
  for (const crypto of BACKENDS) {
    it(`keeps verifying with the cached keys while the endpoint answers 500, refreshing off the request path (${crypto})`, async () => {
      const key = await generateKey("ES256");
      server.json("/jwks", jwksOf(key));
      const verifier = verifierFor({ defaultMaxAgeMs: 100, failureBackoffMs: 20, staleIfErrorMs: 60_000 }, crypto);
      const token = await signToken(key, accessClaims());
      await verifier.verify(token);

      server.route("/jwks", failing(500));
      await sleep(150);
      // Past freshness: the request succeeds with the cached keys and a refresh starts in the background.
      const verified = await verifier.verify(token);
      expect(verified.header.kid).toBe(key.kid);
      await vi.waitFor(() => expect(server.count("/jwks")).toBe(2));
      await vi.waitFor(async () => expect(await lastError(verifier)).toContain("HTTP 500"));
      await verifier.verify(token);
    });
  }

  it("keeps verifying with the cached keys once the server is gone (connection refused)", async () => {
    const key = await generateKey("ES256");
    server.json("/jwks", jwksOf(key));
    const verifier = verifierFor({ defaultMaxAgeMs: 100, failureBackoffMs: 20, staleIfErrorMs: 60_000 });
    const token = await signToken(key, accessClaims());
    await verifier.verify(token);

    await server.close();
    await sleep(150);
    await verifier.verify(token);
    await vi.waitFor(async () => expect(await lastError(verifier)).toMatch(/ECONNREFUSED/));
    await verifier.verify(token);
  });

  it("refuses with jwks_unavailable once the cached keys are older than staleIfErrorMs and the endpoint still fails", async () => {
    const key = await generateKey("ES256");
    server.json("/jwks", jwksOf(key));
    const verifier = verifierFor({ defaultMaxAgeMs: 50, staleIfErrorMs: 100, failureBackoffMs: 20 });
    const token = await signToken(key, accessClaims());
    await verifier.verify(token);

    server.route("/jwks", failing(500));
    await sleep(200);
    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.hint).toContain(`${server.origin}/jwks`);
    expect(error.hint).toContain("HTTP 500");
    expect(error.hint).toContain("jwks.staleIfErrorMs");
  });

  it("an unknown kid whose refetch fails is key_not_found, and the cached keys keep working", async () => {
    const known = await generateKey("ES256", "known");
    const rotated = await generateKey("ES256", "rotated");
    server.json("/jwks", jwksOf(known));
    const verifier = verifierFor({ cooldownMs: 50, staleIfErrorMs: 60_000 });
    await verifier.verify(await signToken(known, accessClaims()));

    server.route("/jwks", failing(500));
    await sleep(70);
    const error = await refusal(verifier.verify(await signToken(rotated, accessClaims())));
    expect(error.code).toBe("key_not_found");
    expect(error.hint).toMatch(/again failed: .*HTTP 500/);
    // The cached keys are fresh: nothing suggests they expired.
    expect(error.hint).not.toContain("older than the stale-if-error bound");
    expect(server.count("/jwks")).toBe(2);
    await verifier.verify(await signToken(known, accessClaims()));
  });
});

describe("the JWKS endpoint fails with nothing cached", () => {
  it("is jwks_unavailable (503, Retry-After) naming the URL and HTTP 500, and fails fast during the backoff", async () => {
    server.route("/jwks", failing(500));
    const key = await generateKey("ES256");
    const verifier = verifierFor({ failureBackoffMs: 5_000 });
    const token = await signToken(key, accessClaims());

    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(5);
    expect(error.hint).toContain(`fetching ${server.origin}/jwks: it answered HTTP 500`);
    expect(error.hint).not.toContain("stale-if-error");

    // Within the backoff nothing is fetched: the failure is repeated at once.
    const again = await refusal(verifier.verify(token));
    expect(again.code).toBe("jwks_unavailable");
    expect(again.hint).toContain("the last fetch failed");
    expect(again.hint).toContain("HTTP 500");
    expect(again.retryAfter).toBeGreaterThanOrEqual(1);
    expect(server.count("/jwks")).toBe(1);
  });

  it("is jwks_unavailable naming the URL and the refused connection when the server is gone", async () => {
    const jwksUri = `${server.origin}/jwks`;
    await server.close();
    const key = await generateKey("ES256");
    const verifier = verifierFor({});
    const error = await refusal(verifier.verify(await signToken(key, accessClaims())));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.hint).toContain(jwksUri);
    expect(error.hint).toMatch(/ECONNREFUSED/);
  });

  it("recovers on the first request after the backoff once the endpoint answers again", async () => {
    server.route("/jwks", failing(503));
    const key = await generateKey("ES256");
    const verifier = verifierFor({ failureBackoffMs: 50 });
    const token = await signToken(key, accessClaims());
    expect((await refusal(verifier.verify(token))).hint).toContain("HTTP 503");

    server.json("/jwks", jwksOf(key));
    await sleep(70);
    await verifier.verify(token);
    expect(server.count("/jwks")).toBe(2);
  });
});

describe("an endpoint that never finishes answering is bounded by jwks.timeoutMs", () => {
  it("settles with jwks_unavailable when the server never answers, and concurrent waiters share the one attempt", async () => {
    server.route("/jwks", silent);
    const key = await generateKey("ES256");
    const verifier = verifierFor({ timeoutMs: 300 });
    const token = await signToken(key, accessClaims());

    const started = Date.now();
    const errors = await Promise.all(Array.from({ length: 20 }, () => refusal(verifier.verify(token))));
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(3_000);
    expect(server.count("/jwks")).toBe(1);
    for (const error of errors) {
      expect(error.code).toBe("jwks_unavailable");
      expect(error.status).toBe(503);
      expect(error.hint).toContain("no answer within 300 ms");
      expect(error.hint).toContain(`${server.origin}/jwks`);
    }
  });

  it("an issuer's jwksOptions override the verifier's jwks settings", async () => {
    server.route("/jwks", silent);
    const key = await generateKey("ES256");
    const verifier = createVerifier({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks`, jwksOptions: { timeoutMs: 200 } }],
      jwks: { timeoutMs: 10_000 },
    });
    const error = await refusal(verifier.verify(await signToken(key, accessClaims())));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("no answer within 200 ms");
  });

  it("settles with jwks_unavailable when the server sends the headers and then stalls the body", async () => {
    server.route("/jwks", stallsBody);
    const key = await generateKey("ES256");
    const verifier = verifierFor({ timeoutMs: 300 });
    const token = await signToken(key, accessClaims());

    const started = Date.now();
    const errors = await Promise.all(Array.from({ length: 5 }, () => refusal(verifier.verify(token))));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(server.count("/jwks")).toBe(1);
    for (const error of errors) {
      expect(error.code).toBe("jwks_unavailable");
      expect(error.hint).toContain("the body did not arrive within 300 ms");
    }
  });
});
