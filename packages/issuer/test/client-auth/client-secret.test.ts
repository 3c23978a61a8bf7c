import { beforeAll, describe, expect, it } from "vitest";
import { authenticateClient } from "../../src/client-auth/authenticate-client.js";
import { parseBasicCredentials } from "../../src/client-auth/client-secret-basic.js";
import { OAuthError } from "../../src/errors/oauth-error.js";
import { hashSecret } from "../../src/secrets/hash.js";
import { type IssuerStore, StoreUnavailableError } from "../../src/store/types.js";
import { API, basic, basicEncoded, createContext, ISSUER, type TestContext, tokenRequest } from "./context.js";

const CHALLENGE = `Basic realm="${ISSUER}", charset="UTF-8"`;
// Characters that form-encoding changes: the Appendix B question.
const AWKWARD = "p@ss w+rd%41:é";

let demoHash = "";
let awkwardHash = "";
beforeAll(async () => {
  [demoHash, awkwardHash] = await Promise.all([hashSecret("demo-secret"), hashSecret(AWKWARD)]);
});

function config(overrides: Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    issuer: ISSUER,
    clients: [
      { clientId: "demo-service", secretHash: demoHash, audiences: [API], scopes: ["read:data"] },
      { clientId: "awkward+id%", secretHash: awkwardHash, audiences: [API], scopes: [] },
      { clientId: "post-only", secretHash: demoHash, authMethods: ["client_secret_post"], audiences: [API], scopes: [] },
      ...overrides,
    ],
  };
}

async function refused(ctx: TestContext, request: Request, params: Record<string, string> = {}): Promise<OAuthError> {
  try {
    await authenticateClient(request, new Map(Object.entries(params)), ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error("authentication succeeded");
}

function expectAuthFailure(error: OAuthError, detail: RegExp): void {
  expect(error.error).toBe("invalid_client");
  expect(error.status).toBe(401);
  expect(error.message).toBe("client authentication failed");
  expect(error.headers["WWW-Authenticate"]).toBe(CHALLENGE);
  expect(error.detail).toMatch(detail);
}

describe("client_secret_basic (RFC 6749 §2.3.1)", () => {
  it("authenticates with Basic credentials", async () => {
    const ctx = createContext(config());
    const result = await authenticateClient(tokenRequest({ authorization: basic("demo-service", "demo-secret") }), new Map(), ctx);
    expect(result.client.clientId).toBe("demo-service");
    expect(result.method).toBe("client_secret_basic");
  });

  it.each(["basic", "BASIC", "bAsIc"])("reads the scheme case-insensitively: %s", async (scheme) => {
    const ctx = createContext(config());
    const header = basic("demo-service", "demo-secret").replace("Basic", scheme);
    expect((await authenticateClient(tokenRequest({ authorization: header }), new Map(), ctx)).client.clientId).toBe("demo-service");
  });

  it("accepts id and secret form-encoded (Appendix B) and raw", async () => {
    const ctx = createContext(config());
    for (const header of [basicEncoded("awkward+id%", AWKWARD), basic("awkward+id%", AWKWARD)]) {
      expect((await authenticateClient(tokenRequest({ authorization: header }), new Map(), ctx)).client.clientId).toBe("awkward+id%");
    }
  });

  it("accepts a client_id parameter equal to the Basic id, and refuses another", async () => {
    const ctx = createContext(config());
    const request = () => tokenRequest({ authorization: basic("demo-service", "demo-secret") });
    expect((await authenticateClient(request(), new Map([["client_id", "demo-service"]]), ctx)).client.clientId).toBe("demo-service");
    const error = await refused(ctx, request(), { client_id: "post-only" });
    expect(error.error).toBe("invalid_request");
    expect(error.message).toBe("client_id does not match the client in the Authorization header");
  });

  it("refuses a wrong secret with the generic answer and a challenge", async () => {
    const ctx = createContext(config());
    expectAuthFailure(await refused(ctx, tokenRequest({ authorization: basic("demo-service", "wrong") })), /wrong client secret for client "demo-service"/);
  });

  it("refuses an unknown client exactly as a wrong secret", async () => {
    const ctx = createContext(config());
    expectAuthFailure(await refused(ctx, tokenRequest({ authorization: basic("nobody", "demo-secret") })), /unknown client_id "nobody"/);
  });

  it("refuses a client not allowed to use Basic", async () => {
    const ctx = createContext(config());
    expectAuthFailure(await refused(ctx, tokenRequest({ authorization: basic("post-only", "demo-secret") })), /may not use client_secret_basic/);
  });

  it.each([
    ["not base64", "Basic !!!!", /not base64/],
    ["no colon", `Basic ${Buffer.from("demo-service").toString("base64")}`, /no ':'/],
    ["empty secret", `Basic ${Buffer.from("demo-service:").toString("base64")}`, /empty secret/],
    ["empty id", `Basic ${Buffer.from(":demo-secret").toString("base64")}`, /empty client id/],
    ["non-canonical base64", `Basic ${Buffer.from("demo-service:demo-secret").toString("base64").replace(/=+$/, "")}A`, /not canonical base64/],
    ["not UTF-8", `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString("base64")}`, /not UTF-8/],
    ["another scheme", "Bearer abc.def.ghi", /does not use the Basic scheme/],
    ["an empty header", "", /does not use the Basic scheme/],
  ])("refuses malformed credentials (%s) as a failed authentication (RFC 6749 §5.2)", async (_name, header, detail) => {
    const ctx = createContext(config());
    expectAuthFailure(await refused(ctx, tokenRequest({ authorization: header })), detail);
  });

  it("never puts the secret in the error", async () => {
    const ctx = createContext(config());
    const error = await refused(ctx, tokenRequest({ authorization: basic("demo-service", "a-wrong-secret-value") }));
    expect(JSON.stringify({ message: error.message, detail: error.detail, headers: error.headers })).not.toContain("a-wrong-secret-value");
  });
});

describe("parseBasicCredentials", () => {
  it("offers the decoded spelling first, then the raw one when they differ", () => {
    expect(parseBasicCredentials(basic("a+b", "c%41d"))).toEqual({ clientIds: ["a b", "a+b"], secrets: ["cAd", "c%41d"] });
    expect(parseBasicCredentials(basic("plain", "50%"))).toEqual({ clientIds: ["plain"], secrets: ["50%"] });
    expect(parseBasicCredentials(basic("id", "a:b"))).toEqual({ clientIds: ["id"], secrets: ["a:b"] });
  });
});

describe("client_secret_post (RFC 6749 §2.3.1)", () => {
  it("authenticates with client_id and client_secret in the body", async () => {
    const ctx = createContext(config());
    const result = await authenticateClient(
      tokenRequest(),
      new Map([
        ["client_id", "post-only"],
        ["client_secret", "demo-secret"],
      ]),
      ctx,
    );
    expect(result).toMatchObject({ client: { clientId: "post-only" }, method: "client_secret_post" });
  });

  it("refuses a wrong secret, and client_secret without client_id", async () => {
    const ctx = createContext(config());
    expectAuthFailure(await refused(ctx, tokenRequest(), { client_id: "post-only", client_secret: "nope" }), /wrong client secret/);
    const error = await refused(ctx, tokenRequest(), { client_secret: "demo-secret" });
    expect(error.error).toBe("invalid_request");
  });

  it("remembers a verified secret: the second request skips scrypt", async () => {
    const ctx = createContext(config());
    const params = new Map([
      ["client_id", "demo-service"],
      ["client_secret", "demo-secret"],
    ]);
    await authenticateClient(tokenRequest(), params, ctx);
    const started = performance.now();
    for (let i = 0; i < 20; i++) await authenticateClient(tokenRequest(), params, ctx);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("makes an unknown client cost about what a known one does (a dummy scrypt)", async () => {
    const ctx = createContext(config());
    const time = async (params: Record<string, string>) => {
      const started = performance.now();
      await refused(ctx, tokenRequest(), params);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time({ client_id: "demo-service", client_secret: `wrong-${i}` }));
      unknown.push(await time({ client_id: `nobody-${i}`, client_secret: `wrong-${i}` }));
    }
    const ratio = median(unknown) / median(known);
    // Without the dummy scrypt an unknown client would answer in well under a hundredth of the time.
    expect(ratio).toBeGreaterThan(0.25);
    expect(ratio).toBeLessThan(4);
  });
});

describe("one method per request (RFC 6749 §2.3)", () => {
  it.each([
    [{ authorization: basic("demo-service", "demo-secret") }, { client_secret: "demo-secret" }, "the Authorization header and client_secret"],
    [{ authorization: basic("demo-service", "demo-secret") }, { client_assertion: "x.y.z" }, "the Authorization header and client_assertion"],
    [{}, { client_id: "demo-service", client_secret: "demo-secret", client_assertion: "x.y.z" }, "client_secret and client_assertion"],
    [{}, { client_secret: "s", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" }, "client_secret and client_assertion"],
  ])("refuses two methods at once (%#)", async (headers, params, named) => {
    const error = await refused(createContext(config()), tokenRequest(headers), params);
    expect(error.error).toBe("invalid_request");
    expect(error.status).toBe(400);
    expect(error.message).toBe(`use one client authentication method per request; this one has ${named} (RFC 6749 section 2.3)`);
  });

  it("refuses a request without client authentication: invalid_client, 401", async () => {
    const error = await refused(createContext(config()), tokenRequest(), { client_id: "demo-service" });
    expect(error.error).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.message).toBe("client authentication is required");
    expect(error.headers["WWW-Authenticate"]).toBe(CHALLENGE);
    expect(error.detail).toMatch(/public clients are not supported/);
  });
});

describe("rate limits and the store", () => {
  it("refuses over the client's rate limit with 429 and Retry-After, before checking the secret", async () => {
    const ctx = createContext(config([{ clientId: "limited", secretHash: demoHash, rateLimitPerMinute: 2, audiences: [API], scopes: [] }]));
    const params = new Map([
      ["client_id", "limited"],
      ["client_secret", "demo-secret"],
    ]);
    await authenticateClient(tokenRequest(), params, ctx);
    await authenticateClient(tokenRequest(), params, ctx);
    const started = performance.now();
    const error = await refused(ctx, tokenRequest(), { client_id: "limited", client_secret: "wrong" });
    // One scrypt takes 50-150 ms: the refusal came before it.
    expect(performance.now() - started).toBeLessThan(30);
    expect(error.error).toBe("temporarily_unavailable");
    expect(error.status).toBe(429);
    expect(error.message).toBe("too many requests");
    expect(Number(error.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect(Number(error.headers["Retry-After"])).toBeLessThanOrEqual(60);
    ctx.advance(60_000);
    expect((await authenticateClient(tokenRequest(), params, ctx)).client.clientId).toBe("limited");
  });

  it("does not count requests when the limit is 0", async () => {
    const calls: string[] = [];
    const store: IssuerStore = {
      useOnce: async () => true,
      revoke: async () => {},
      isRevoked: async () => false,
      rateLimit: async (key) => {
        calls.push(key);
        return { allowed: true, remaining: 1, retryAfterMs: 0 };
      },
      close: async () => {},
    };
    const ctx = createContext(config([{ clientId: "free", secretHash: demoHash, rateLimitPerMinute: 0, audiences: [API], scopes: [] }]), { store });
    await authenticateClient(
      tokenRequest(),
      new Map([
        ["client_id", "free"],
        ["client_secret", "demo-secret"],
      ]),
      ctx,
    );
    await authenticateClient(
      tokenRequest(),
      new Map([
        ["client_id", "demo-service"],
        ["client_secret", "demo-secret"],
      ]),
      ctx,
    );
    expect(calls).toEqual(["client:demo-service"]);
  });

  it("answers 503 temporarily_unavailable when the store cannot answer", async () => {
    const store: IssuerStore = {
      useOnce: async () => true,
      revoke: async () => {},
      isRevoked: async () => false,
      rateLimit: async () => {
        throw new StoreUnavailableError("Redis at 127.0.0.1:6379 did not answer within 1000 ms");
      },
      close: async () => {},
    };
    const error = await refused(createContext(config(), { store }), tokenRequest({ authorization: basic("demo-service", "demo-secret") }));
    expect(error.error).toBe("temporarily_unavailable");
    expect(error.status).toBe(503);
    expect(error.detail).toMatch(/did not answer/);
  });
});
