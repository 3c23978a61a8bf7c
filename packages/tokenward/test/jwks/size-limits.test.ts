import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier, type JwksOptions } from "../../src/index.js";
import { createJsonFetcher, FetchFailure } from "../../src/jwks/fetch-json.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { flood, gzipBomb, refusal } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

const MiB = 1024 * 1024;
const HUGE = 20 * MiB;

describe("JWKS answers larger than jwks.maxBytes are refused without being buffered", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  async function verifyAgainst(jwks: JwksOptions): Promise<ReturnType<typeof refusal>> {
    const key = await generateKey("ES256");
    const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }], jwks });
    return refusal(verifier.verify(await signToken(key, accessClaims())));
  }

  it("refuses a 20 MiB Content-Length before reading the body, and drops the connection early", async () => {
    const route = flood(HUGE, { declareLength: true });
    server.route("/jwks", route.handler);
    const error = await verifyAgainst({ maxBytes: 64 * 1024 });
    expect(error.code).toBe("jwks_unavailable");
    expect(error.status).toBe(503);
    expect(error.hint).toContain(`declares ${HUGE} bytes, over the limit of 65536`);
    const written = await route.closed;
    // The server observed the client leave: what it managed to push is what
    // the loopback socket buffers took, nowhere near the 20 MiB it offered.
    expect(written).toBeLessThan(HUGE / 2);
  });

  it("cuts off a chunked answer without end once maxBytes is exceeded", async () => {
    const route = flood(HUGE, { declareLength: false, chunkBytes: 16 * 1024 });
    server.route("/jwks", route.handler);
    const error = await verifyAgainst({ maxBytes: 64 * 1024 });
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("exceeds the limit of 65536 bytes");
    expect(error.hint).toContain(`${server.origin}/jwks`);
    const written = await route.closed;
    expect(written).toBeLessThan(HUGE / 2);
  });

  it("measures the limit after decompression, so a small gzip answer cannot inflate to 20 MiB in memory", async () => {
    const bomb = gzipBomb(HUGE);
    expect(bomb.compressedBytes).toBeLessThan(64 * 1024);
    server.route("/jwks", bomb.handler);
    const error = await verifyAgainst({ maxBytes: 64 * 1024 });
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("exceeds the limit of 65536 bytes");
  });

  it("accepts an answer of exactly maxBytes and refuses one byte more", async () => {
    const key = await generateKey("ES256");
    const document = JSON.stringify(jwksOf(key));
    const limit = 4096;
    const exact = `${document.slice(0, -1)}${" ".repeat(limit - document.length)}}`;
    expect(Buffer.byteLength(exact)).toBe(limit);
    server.route("/exact", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(exact);
    });
    server.route("/over", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(`${exact} `);
    });
    const fetchJson = createJsonFetcher();
    const fetched = await fetchJson(`${server.origin}/exact`, { timeoutMs: 2_000, maxBytes: limit });
    expect(fetched.body).toEqual(jwksOf(key));
    const failure = await fetchJson(`${server.origin}/over`, { timeoutMs: 2_000, maxBytes: limit }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FetchFailure);
    expect((failure as FetchFailure).reason).toBe("too_large");
  });
});
