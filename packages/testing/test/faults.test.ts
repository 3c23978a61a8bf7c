// Fault injection at the JWKS and metadata endpoints, and what tokenward does
// about each (its documented behaviour): jwks_unavailable (503) when nothing
// usable is cached, the last good keys while the endpoint fails
// (stale-if-error), and per-endpoint request counts to assert caching.
import { createVerifier, type JwksOptions } from "tokenward";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMockIssuer, type Fault, type MockIssuer, MockIssuerError } from "../src/index.js";
import { refusedWith } from "./helpers.js";

let issuer: MockIssuer;
beforeAll(async () => {
  // No Cache-Control on the JWKS: the verifier's defaultMaxAgeMs decides freshness, so tests can make keys stale quickly.
  issuer = await createMockIssuer({ algorithms: ["ES256"], jwksMaxAge: null });
});
afterEach(() => issuer.reset());
afterAll(() => issuer.close());

function verifierWith(jwks: JwksOptions = {}, discovery = false) {
  const policy = discovery ? { issuer: issuer.issuer, audience: issuer.audience } : issuer.policy();
  return createVerifier({ issuers: [policy], jwks });
}

describe("with nothing cached, a failing JWKS endpoint is jwks_unavailable (503, Retry-After)", () => {
  const cases: [string, Fault, RegExp][] = [
    ["HTTP 500", { kind: "status", status: 500 }, /HTTP 500/],
    ["HTTP 503", { kind: "status", status: 503 }, /HTTP 503/],
    ["a reset connection", { kind: "reset" }, /ECONNRESET|socket hang up|other side closed|fetch failed|terminated/i],
    ["a body that is not JSON", { kind: "invalid-json" }, /JSON/i],
    ["a 4 MiB body (over the 512 KiB cap)", { kind: "huge" }, /bytes|large|limit|size/i],
    ["a 200 that is not a JWK Set", { kind: "status", status: 200, body: { keys: "none" } }, /JWK Set/],
  ];
  for (const [name, fault, hint] of cases) {
    it(name, async () => {
      issuer.fault("jwks", fault);
      const error = await refusedWith(verifierWith().verify(await issuer.mint()), "jwks_unavailable");
      expect(error.status).toBe(503);
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
      expect(error.hint).toContain(issuer.jwksUri);
      expect(error.hint).toMatch(hint);
      expect(issuer.requestCount("jwks")).toBe(1);
    });
  }

  it("a slow endpoint past the deadline (timeoutMs) fails; under it, the request just takes longer", async () => {
    issuer.fault("jwks", { kind: "delay", ms: 1000 });
    const error = await refusedWith(verifierWith({ timeoutMs: 100 }).verify(await issuer.mint()), "jwks_unavailable");
    expect(error.hint).toMatch(/100 ms|timed out|deadline|time/i);

    issuer.fault("jwks", { kind: "delay", ms: 150 });
    const started = performance.now();
    await verifierWith({ timeoutMs: 2000 }).verify(await issuer.mint());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("a server that is down refuses connections; back up, the verifier recovers after its backoff", async () => {
    const verifier = verifierWith({ failureBackoffMs: 50 });
    const token = await issuer.mint();
    await issuer.down();
    const error = await refusedWith(verifier.verify(token), "jwks_unavailable");
    expect(error.hint).toContain("ECONNREFUSED");
    await issuer.up();
    await vi.waitFor(() => verifier.verify(token), { timeout: 2000, interval: 60 });
  });

  it("a padded answer under the cap is still valid JSON: huge is only a problem for its size", async () => {
    issuer.fault("jwks", { kind: "huge", bytes: 100_000 });
    await verifierWith().verify(await issuer.mint());
    const answer = await fetch(issuer.jwksUri);
    expect(answer.headers.get("content-length")).toBe("100000");
    expect((await answer.json()) as unknown).toEqual(issuer.jwks());
  });

  it("times: the fault applies to that many requests, then the endpoint heals itself", async () => {
    issuer.fault("jwks", { kind: "status", status: 503, times: 1 });
    const verifier = verifierWith({ failureBackoffMs: 20 });
    const token = await issuer.mint();
    await refusedWith(verifier.verify(token), "jwks_unavailable");
    await vi.waitFor(() => verifier.verify(token), { timeout: 2000, interval: 30 });
    expect(issuer.requestCount("jwks")).toBe(2);
  });
});

describe("with keys cached, tokenward keeps verifying while the JWKS endpoint fails (stale-if-error)", () => {
  const cases: [string, () => Promise<void> | void, RegExp][] = [
    ["HTTP 503", () => issuer.fault("jwks", { kind: "status", status: 503 }), /HTTP 503/],
    ["invalid JSON", () => issuer.fault("jwks", { kind: "invalid-json" }), /JSON/i],
    ["connection refused", () => issuer.down(), /ECONNREFUSED/],
  ];
  for (const [name, fail, why] of cases) {
    it(name, async () => {
      const verifier = verifierWith({ defaultMaxAgeMs: 50, failureBackoffMs: 20, staleIfErrorMs: 60_000 });
      await verifier.verify(await issuer.mint());
      await fail();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Past freshness: answered from the last good keys while refreshes fail in the background.
      for (let i = 0; i < 5; i++) await verifier.verify(await issuer.mint());
      await vi.waitFor(async () => expect((await verifier.warmUp())[0]?.lastError).toMatch(why), { timeout: 2000, interval: 50 });
      await verifier.verify(await issuer.mint());
    });
  }

  it("past staleIfErrorMs the cached keys stop counting: jwks_unavailable", async () => {
    const verifier = verifierWith({ defaultMaxAgeMs: 50, staleIfErrorMs: 100, failureBackoffMs: 20 });
    await verifier.verify(await issuer.mint());
    issuer.fault("jwks", { kind: "status", status: 500 });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const error = await refusedWith(verifier.verify(await issuer.mint()), "jwks_unavailable");
    expect(error.hint).toContain("staleIfErrorMs");
  });
});

describe("metadata faults break discovery", () => {
  it("metadata down (503): no JWKS URL, jwks_unavailable naming both discovery URLs", async () => {
    issuer.fault("metadata", { kind: "status", status: 503 });
    const error = await refusedWith(verifierWith({}, true).verify(await issuer.mint()), "jwks_unavailable");
    expect(error.hint).toContain(issuer.endpoints.openidConfiguration);
    expect(error.hint).toContain(issuer.endpoints.authorizationServerMetadata);
    expect(issuer.requestCount("metadata")).toBe(2);
    expect(issuer.requestCount("jwks")).toBe(0);
  });

  it("metadata naming another issuer is refused: issuers are compared exactly", async () => {
    issuer.fault("metadata", { kind: "status", status: 200, body: { issuer: `${issuer.issuer}/`, jwks_uri: issuer.jwksUri } });
    const error = await refusedWith(verifierWith({}, true).verify(await issuer.mint()), "jwks_unavailable");
    expect(error.hint).toMatch(/byte for byte/);
  });

  it("slow metadata past the deadline", async () => {
    issuer.fault("metadata", { kind: "delay", ms: 1000 });
    await refusedWith(verifierWith({ timeoutMs: 100 }, true).verify(await issuer.mint()), "jwks_unavailable");
  });
});

describe("request counts let a test assert caching", () => {
  it("one metadata and one JWKS request for a hundred tokens", async () => {
    const verifier = verifierWith({}, true);
    await Promise.all(Array.from({ length: 100 }, async (_, i) => verifier.verify(await issuer.mint({ sub: `user-${i}` }))));
    expect(issuer.requestCounts()).toEqual({ metadata: 1, jwks: 1, token: 0, introspection: 0, revocation: 0 });
    issuer.resetRequestCounts();
    expect(issuer.requestCount("jwks")).toBe(0);
  });

  it("faulted requests count too; 404s count nowhere", async () => {
    issuer.fault("jwks", { kind: "reset" });
    await fetch(issuer.jwksUri).catch(() => undefined);
    await fetch(`${issuer.url}/nothing-here`);
    expect(issuer.requestCount("jwks")).toBe(1);
    expect(Object.values(issuer.requestCounts()).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe("faults are easy to clear", () => {
  it("clearFaults(endpoint) clears one, clearFaults() all, reset() also brings the server back up", async () => {
    issuer.fault("jwks", { kind: "status", status: 500 });
    issuer.fault("metadata", { kind: "status", status: 500 });
    issuer.clearFaults("jwks");
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect((await fetch(issuer.endpoints.openidConfiguration)).status).toBe(500);
    issuer.clearFaults();
    expect((await fetch(issuer.endpoints.openidConfiguration)).status).toBe(200);
    await issuer.down();
    await expect(fetch(issuer.jwksUri)).rejects.toThrow();
    await issuer.reset();
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect(issuer.requestCount("jwks")).toBe(1);
  });

  it("the token endpoint takes faults too, for testing token clients", async () => {
    issuer.fault("token", { kind: "status", status: 503, headers: { "retry-after": "2" }, times: 1 });
    const request = () =>
      fetch(issuer.endpoints.token, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials&client_id=test-client&client_secret=test-secret",
      });
    const failed = await request();
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("2");
    expect(((await failed.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect((await request()).status).toBe(200);
  });

  it("bad faults are refused with the option named", () => {
    const attempts: [unknown, unknown][] = [
      ["keys", { kind: "reset" }],
      ["jwks", { kind: "explode" }],
      ["jwks", { kind: "status", status: 99 }],
      ["jwks", { kind: "delay", ms: -1 }],
      ["jwks", { kind: "huge", bytes: 0 }],
      ["jwks", { kind: "reset", times: 0 }],
      ["jwks", undefined],
    ];
    for (const [endpoint, fault] of attempts) {
      let thrown: unknown;
      try {
        issuer.fault(endpoint as "jwks", fault as Fault);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify([endpoint, fault])).toBeInstanceOf(MockIssuerError);
      expect((thrown as MockIssuerError).option).toMatch(/^fault/);
    }
  });
});
