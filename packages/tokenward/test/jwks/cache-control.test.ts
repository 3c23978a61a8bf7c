import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createJsonFetcher, parseMaxAge } from "../../src/jwks/fetch-json.js";
import { JWKS_DEFAULTS, type ResolvedJwksOptions } from "../../src/jwks/options.js";
import { RemoteKeySource } from "../../src/jwks/remote-key-source.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { generateKey, jwksOf, type TestKey } from "../helpers/keys.js";

describe("parseMaxAge (RFC 9111 §5.2.2 and §4.2.3)", () => {
  it("reads max-age in seconds", () => {
    expect(parseMaxAge("max-age=300", null)).toBe(300);
    expect(parseMaxAge("public, max-age=86400, must-revalidate", null)).toBe(86400);
    expect(parseMaxAge("MAX-AGE=60", null)).toBe(60);
    expect(parseMaxAge('max-age="120"', null)).toBe(120);
  });

  it("subtracts Age, the seconds the answer already spent in caches, and never goes below zero", () => {
    expect(parseMaxAge("max-age=300", "100")).toBe(200);
    expect(parseMaxAge("max-age=300", "900")).toBe(0);
    expect(parseMaxAge("max-age=300", "0")).toBe(300);
  });

  it("ignores an Age that is not a number of seconds", () => {
    expect(parseMaxAge("max-age=300", "soon")).toBe(300);
    expect(parseMaxAge("max-age=300", "-50")).toBe(300);
  });

  it("treats no-store and no-cache as zero (fetch again as soon as allowed), whatever max-age says", () => {
    expect(parseMaxAge("no-store", null)).toBe(0);
    expect(parseMaxAge("max-age=3600, no-store", null)).toBe(0);
    expect(parseMaxAge("no-cache, max-age=3600", null)).toBe(0);
    expect(parseMaxAge('no-cache="set-cookie"', null)).toBe(0);
  });

  it("is undefined without a usable max-age, so the default freshness applies", () => {
    expect(parseMaxAge(null, null)).toBeUndefined();
    expect(parseMaxAge(null, "10")).toBeUndefined();
    expect(parseMaxAge("public", null)).toBeUndefined();
    expect(parseMaxAge("max-age=soon", null)).toBeUndefined();
    expect(parseMaxAge("max-age=-5", null)).toBeUndefined();
    expect(parseMaxAge("max-age=1.5", null)).toBeUndefined();
  });

  it("reads max-age and Age only as delta-seconds, digits alone (RFC 9111 §1.2.2)", () => {
    expect(parseMaxAge("max-age=", null)).toBeUndefined();
    expect(parseMaxAge("max-age=1e3", null)).toBeUndefined();
    expect(parseMaxAge("max-age=0x10", null)).toBeUndefined();
    expect(parseMaxAge("max-age=300", "1e2")).toBe(300);
    expect(parseMaxAge("max-age=300", "0x10")).toBe(300);
  });
});

describe("RemoteKeySource honours Cache-Control within [minMaxAgeMs, maxMaxAgeMs] (fake clock, real HTTP)", () => {
  let server: TestServer;
  let key: TestKey;
  const clock = { ms: 0 };
  const options: ResolvedJwksOptions = { ...JWKS_DEFAULTS, minMaxAgeMs: 60_000, maxMaxAgeMs: 3_600_000, defaultMaxAgeMs: 600_000 };

  beforeEach(async () => {
    server = await startServer();
    key = await generateKey("ES256", "k1");
    clock.ms = 1_700_000_000_000;
  });
  afterEach(async () => {
    await server.close();
  });

  async function freshnessFor(headers: Record<string, string>): Promise<number> {
    server.json("/jwks", jwksOf(key), headers);
    const source = new RemoteKeySource(
      "the test JWKS",
      () => `${server.origin}/jwks`,
      createJsonFetcher(),
      options,
      () => clock.ms,
    );
    await source.keys();
    return (source.freshUntil as number) - clock.ms;
  }

  it("keeps the keys fresh for max-age when it lies within the bounds", async () => {
    expect(await freshnessFor({ "cache-control": "public, max-age=120" })).toBe(120_000);
  });

  it("raises a max-age under minMaxAgeMs to the minimum", async () => {
    expect(await freshnessFor({ "cache-control": "max-age=5" })).toBe(60_000);
  });

  it("lowers a max-age over maxMaxAgeMs to the maximum", async () => {
    expect(await freshnessFor({ "cache-control": "max-age=31536000" })).toBe(3_600_000);
  });

  it("treats no-store as the minimum, not as never caching (every verification would fetch)", async () => {
    expect(await freshnessFor({ "cache-control": "no-store" })).toBe(60_000);
  });

  it("subtracts the Age header from max-age", async () => {
    expect(await freshnessFor({ "cache-control": "max-age=600", age: "100" })).toBe(500_000);
  });

  it("uses defaultMaxAgeMs when the server sends no Cache-Control", async () => {
    expect(await freshnessFor({})).toBe(600_000);
  });

  it("serves from the cache without a request until max-age passes, then refreshes in the background", async () => {
    server.json("/jwks", jwksOf(key), { "cache-control": "max-age=120" });
    const source = new RemoteKeySource(
      "the test JWKS",
      () => `${server.origin}/jwks`,
      createJsonFetcher(),
      options,
      () => clock.ms,
    );
    const first = await source.keys();
    expect(server.count("/jwks")).toBe(1);

    clock.ms += 119_999;
    expect(source.keys()).toBe(first);
    expect(server.count("/jwks")).toBe(1);

    clock.ms += 1;
    // Stale: the cached set is returned at once (not a promise) while a refresh runs.
    const next = await new Promise<number>((resolve) => {
      server.route("/jwks", (_request, response) => {
        response.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" }).end(JSON.stringify(jwksOf(key)));
        resolve(server.count("/jwks"));
      });
      expect(source.keys()).toBe(first);
    });
    expect(next).toBe(2);
    // Once the refresh lands, freshness follows the new answer.
    await vi.waitFor(() => expect(source.freshUntil).toBe(clock.ms + 300_000));
  });
});
