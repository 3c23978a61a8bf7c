import { describe, expect, it } from "vitest";
import { TOKEN_ERROR_CODES, type TokenError } from "../../src/index.js";
import { flood, refusal, stallsBody } from "../helpers/jwks-faults.js";
import { activeAnswer, CLIENT_ID, CLIENT_SECRET, json, opaqueToken, useIntrospectionServer, verifierFor } from "./helpers.js";

// The endpoint fails in every way an HTTP server can: each is
// introspection_unavailable (503, Retry-After), with a hint naming the cause,
// never a crash, and never the token or the client secret in what is thrown.

const as = useIntrospectionServer();

/** Every string a thrown error exposes: message, hint, JSON, String(), stack. */
function exposed(error: TokenError): string {
  return [error.message, error.hint, JSON.stringify(error), String(error), error.stack ?? ""].join("\n");
}

function expectClean(error: TokenError, token: string): void {
  const text = exposed(error);
  expect(text).not.toContain(token);
  expect(text).not.toContain(CLIENT_SECRET);
  expect(text).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"));
  expect(TOKEN_ERROR_CODES).toContain(error.code);
}

async function unavailable(promise: Promise<unknown>, token: string): Promise<TokenError> {
  const error = await refusal(promise);
  expect(error.code).toBe("introspection_unavailable");
  expect(error.status).toBe(503);
  expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  expectClean(error, token);
  return error;
}

describe("the endpoint cannot be reached", () => {
  it("connection refused", async () => {
    const endpoint = as.current.endpoint;
    await as.current.server.close();
    const token = opaqueToken();
    const error = await unavailable(verifierFor(endpoint).verify(token), token);
    expect(error.hint).toMatch(/ECONNREFUSED|fetch failed/);
    expect(error.hint).toContain(endpoint);
  });

  it("no answer within timeoutMs: refused after the deadline, not after the server's leisure", async () => {
    as.current.handle(() => undefined);
    const token = opaqueToken();
    const started = performance.now();
    const error = await unavailable(verifierFor(as.current.endpoint, { timeoutMs: 200 }).verify(token), token);
    const elapsed = performance.now() - started;
    expect(error.hint).toContain("no answer within 200 ms");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("headers arrive, then the body stalls past the deadline", async () => {
    as.current.handle((_request, response) => stallsBody({} as never, response));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint, { timeoutMs: 200 }).verify(token), token);
    expect(error.hint).toContain("did not arrive within 200 ms");
  });
});

describe("the endpoint answers badly", () => {
  it("a huge answer declared by Content-Length is refused before reading", async () => {
    const huge = flood(10 * 1024 * 1024, { declareLength: true });
    as.current.handle((_request, response) => huge.handler({} as never, response));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint, { maxBytes: 4096 }).verify(token), token);
    expect(error.hint).toContain("over the limit of 4096");
  });

  it("a huge streamed answer is cut off at maxBytes, long before its end", async () => {
    const huge = flood(64 * 1024 * 1024, { declareLength: false, chunkBytes: 16 * 1024 });
    as.current.handle((_request, response) => huge.handler({} as never, response));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint, { maxBytes: 64 * 1024 }).verify(token), token);
    expect(error.hint).toContain("exceeds the limit of 65536 bytes");
    expect(await huge.closed).toBeLessThan(16 * 1024 * 1024);
  });

  it("invalid JSON", async () => {
    as.current.handle((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>"));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint).verify(token), token);
    expect(error.hint).toContain("text/html, not JSON");
  });

  it("a signed RFC 9701 answer (never asked for) is explained", async () => {
    as.current.handle((_request, response) => response.writeHead(200, { "content-type": "application/token-introspection+jwt" }).end("eyJ.eyJ.sig"));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint).verify(token), token);
    expect(error.hint).toContain("not RFC 9701 JWT answers");
  });

  it("invalid UTF-8", async () => {
    as.current.handle((_request, response) => response.writeHead(200).end(Buffer.from([0x7b, 0xff, 0x7d])));
    const token = opaqueToken();
    expect((await unavailable(verifierFor(as.current.endpoint).verify(token), token)).hint).toContain("not JSON");
  });

  it("401: our client credentials are wrong, and the hint says so without the secret", async () => {
    as.current.handle((_request, response) => json(response, { error: "invalid_client" }, 401, { "www-authenticate": 'Basic realm="as"' }));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint).verify(token), token);
    expect(error.hint).toContain('refused this API\'s client credentials (HTTP 401, error "invalid_client")');
    expect(error.hint).toContain(`introspection.clientId ("${CLIENT_ID}")`);
    expect(error.hint).toContain("introspection.clientSecret (not shown)");
    expect(error.hint).toContain("client_secret_basic");
  });

  it("400 invalid_client is about the credentials too (RFC 6749 §5.2)", async () => {
    as.current.handle((_request, response) => json(response, { error: "invalid_client" }, 400));
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint, { auth: "client_secret_post" }).verify(token), token);
    expect(error.hint).toContain("client credentials");
    expect(error.hint).toContain("client_secret_post");
  });

  it("403 or unauthorized_client: the client may not introspect", async () => {
    for (const [status, body] of [
      [403, {}],
      [400, { error: "unauthorized_client" }],
    ] as const) {
      as.current.handle((_request, response) => json(response, body, status));
      const token = opaqueToken();
      const error = await unavailable(verifierFor(as.current.endpoint).verify(token), token);
      expect(error.hint).toContain(`does not let client "${CLIENT_ID}" introspect tokens (HTTP ${status}`);
    }
  });

  it("an error body that echoes the token is not quoted", async () => {
    const token = "short";
    as.current.handle((_request, response) => json(response, { error: token, error_description: `bad token ${token}` }, 400));
    const error = await unavailable(verifierFor(as.current.endpoint).verify(token), "never-matches-anything");
    expect(error.hint).toContain("HTTP 400");
    expect(error.hint).not.toContain("short");
  });

  for (const status of [500, 502, 503, 429]) {
    it(`HTTP ${status}`, async () => {
      as.current.handle((_request, response) => json(response, { error: "server_error" }, status));
      const token = opaqueToken();
      expect((await unavailable(verifierFor(as.current.endpoint).verify(token), token)).hint).toContain(`HTTP ${status}`);
    });
  }

  it("HTTP 404: the hint asks whether the URL is right", async () => {
    const token = opaqueToken();
    const error = await unavailable(verifierFor(`${as.current.server.origin}/wrong`).verify(token), token);
    expect(error.hint).toContain("HTTP 404");
    expect(error.hint).toContain("is the endpoint URL right?");
  });

  it("a redirect is not followed: the credentials and the token never reach the other URL", async () => {
    as.current.server.route("/elsewhere", (_request, response) => json(response, activeAnswer()));
    as.current.handle((_request, response) => response.writeHead(307, { location: "/elsewhere" }).end());
    const token = opaqueToken();
    const error = await unavailable(verifierFor(as.current.endpoint).verify(token), token);
    expect(error.hint).toContain("redirects are not followed");
    expect(as.current.server.count("/elsewhere")).toBe(0);
  });
});

describe("failing fast while the endpoint is down (failureBackoffMs)", () => {
  it("after a timeout, new introspections fail fast instead of each waiting for the deadline", async () => {
    as.current.handle(() => undefined);
    const verifier = verifierFor(as.current.endpoint, { timeoutMs: 150, failureBackoffMs: 10_000 });
    await refusal(verifier.verify(opaqueToken()));
    const started = performance.now();
    const token = opaqueToken();
    const error = await unavailable(verifier.verify(token), token);
    expect(performance.now() - started).toBeLessThan(100);
    expect(error.hint).toContain("no answer within 150 ms");
    expect(error.hint).toContain("introspection.failureBackoffMs");
    expect(error.retryAfter).toBe(10);
    expect(as.current.requests).toHaveLength(1);
  });

  it("a 5xx backs off too; once the pause is over, the endpoint is asked again", async () => {
    as.current.handle((_request, response) => json(response, {}, 503));
    const verifier = verifierFor(as.current.endpoint, { failureBackoffMs: 200 });
    await refusal(verifier.verify(opaqueToken()));
    await refusal(verifier.verify(opaqueToken()));
    expect(as.current.requests).toHaveLength(1);
    as.current.answer(activeAnswer());
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(verifier.verify(opaqueToken())).resolves.toBeDefined();
    expect(as.current.requests).toHaveLength(2);
  });

  it("wrong credentials (401) do not back off: they are a configuration problem, answered fast", async () => {
    as.current.handle((_request, response) => json(response, { error: "invalid_client" }, 401));
    const verifier = verifierFor(as.current.endpoint, { failureBackoffMs: 10_000 });
    await refusal(verifier.verify(opaqueToken()));
    await refusal(verifier.verify(opaqueToken()));
    expect(as.current.requests).toHaveLength(2);
  });

  it("failureBackoffMs: 0 asks every time", async () => {
    as.current.handle((_request, response) => json(response, {}, 500));
    const verifier = verifierFor(as.current.endpoint, { failureBackoffMs: 0 });
    await refusal(verifier.verify(opaqueToken()));
    await refusal(verifier.verify(opaqueToken()));
    expect(as.current.requests).toHaveLength(2);
  });
});

describe("tokens that are never sent", () => {
  it("a token with characters no bearer token has is token_malformed, without a request", async () => {
    for (const token of ["has space", 'quote"d', "semi;colon", "tab\there", "é-accent", "a,b"]) {
      const error = await refusal(verifierFor(as.current.endpoint).verify(token));
      expect(error.code).toBe("token_malformed");
      expect(error.hint).toContain("it was not introspected");
    }
    expect(as.current.requests).toHaveLength(0);
  });

  it("a grandfathered issuer past its until is refused before its server is asked", async () => {
    const error = await refusal(verifierFor(as.current.endpoint, {}, { until: "2020-01-01T00:00:00Z" }).verify(opaqueToken()));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain("grandfathered");
    expect(as.current.requests).toHaveLength(0);
  });

  it("a token over maxTokenBytes is token_malformed, without a request", async () => {
    const error = await refusal(verifierFor(as.current.endpoint, {}, {}, { maxTokenBytes: 1024 }).verify("a".repeat(1025)));
    expect(error.code).toBe("token_malformed");
    expect(error.hint).toContain("over the limit of 1024");
    expect(as.current.requests).toHaveLength(0);
  });

  it("a token shaped like a compact JWS takes the JWT path, never introspection", async () => {
    const error = await refusal(verifierFor(as.current.endpoint).verify("abc.def.ghi"));
    expect(error.code).toBe("token_malformed");
    expect(as.current.requests).toHaveLength(0);
  });
});
