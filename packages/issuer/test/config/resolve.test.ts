import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { IssuerConfigError, resolveConfig } from "../../src/config/resolve.js";
import { BROKEN } from "./broken-cases.js";
import { EC_PUBLIC_JWK, full, minimal, SECRET_HASH } from "./fixtures.js";

type Client = Record<string, unknown>;

function problemsOf(input: unknown): { path: string; message: string }[] {
  try {
    resolveConfig(input, { baseDir: "/srv/issuer" });
  } catch (error) {
    expect(error).toBeInstanceOf(IssuerConfigError);
    return (error as IssuerConfigError).problems;
  }
  throw new Error("resolveConfig accepted the configuration");
}

describe("resolveConfig: good configurations", () => {
  it("fills every default of a minimal configuration", () => {
    const config = resolveConfig(minimal(), { baseDir: "/srv/issuer" });
    expect(config.issuer).toBe("https://auth.example.com");
    expect(config.base).toBe("https://auth.example.com");
    expect(config.issuerPath).toBe("");
    expect(config.endpoints).toEqual({
      token: "https://auth.example.com/oauth/token",
      jwks: "https://auth.example.com/.well-known/jwks.json",
      introspection: "https://auth.example.com/oauth/introspect",
      revocation: "https://auth.example.com/oauth/revoke",
    });
    expect(config.keys).toEqual({
      directory: "/srv/issuer/.tokenward/keys",
      algorithm: "RS256",
      rotateAfterDays: 0,
      publishLeadSeconds: 600,
      jwksMaxAgeSeconds: 300,
    });
    expect(config.tokens).toEqual({ lifetimeSeconds: 3600, profile: "rfc9068" });
    expect(config.store).toEqual({ type: "memory" });
    expect(config.rateLimit).toEqual({ perClientPerMinute: 600 });
    expect(config.limits).toEqual({ maxBodyBytes: 16384, maxAssertionLifetimeSeconds: 300, clockToleranceSeconds: 30 });
    expect(config.metrics).toEqual({ enabled: false });
    const client = config.clients.get("billing");
    expect(client).toBeDefined();
    expect(client?.name).toBe("billing");
    expect(client?.secretHash).toBe(SECRET_HASH);
    expect([...(client?.authMethods ?? [])]).toEqual(["client_secret_basic", "client_secret_post"]);
    expect([...(client?.grantTypes ?? [])]).toEqual(["client_credentials"]);
    expect(client?.audiences).toEqual(["https://api.example.com"]);
    expect([...(client?.scopes ?? [])]).toEqual(["read:data", "write:data"]);
    expect(client?.defaultScopes).toEqual(["read:data", "write:data"]);
    expect(client?.claims).toEqual({});
    expect(client?.tokenLifetimeSeconds).toBe(3600);
    expect(client?.rateLimitPerMinute).toBe(600);
    expect(client?.introspect).toBe(true);
    expect(client?.jwks).toBeUndefined();
    expect(client?.jwksUri).toBeUndefined();
  });

  it("keeps every field of a full configuration", () => {
    const config = resolveConfig(full(), { baseDir: "/srv/issuer" });
    expect(config.issuer).toBe("https://auth.example.com/tenant-a/");
    expect(config.base).toBe("https://auth.example.com/tenant-a");
    expect(config.issuerPath).toBe("/tenant-a");
    expect(config.endpoints.token).toBe("https://auth.example.com/tenant-a/oauth/token");
    expect(config.endpoints.jwks).toBe("https://auth.example.com/tenant-a/.well-known/jwks.json");
    expect(config.keys).toEqual({
      directory: resolve("/srv/issuer", "keys"),
      algorithm: "ES256",
      rotateAfterDays: 30,
      publishLeadSeconds: 900,
      jwksMaxAgeSeconds: 600,
    });
    expect(config.tokens).toEqual({ lifetimeSeconds: 7200, profile: "auth0" });
    expect(config.store).toEqual({ type: "redis", url: "rediss://:hunter2@redis.example.com:6380/0", keyPrefix: "auth:" });
    expect(config.rateLimit.perClientPerMinute).toBe(120);
    expect(config.limits).toEqual({ maxBodyBytes: 32768, maxAssertionLifetimeSeconds: 120, clockToleranceSeconds: 10 });
    expect(config.metrics.enabled).toBe(true);
    const billing = config.clients.get("billing");
    expect(billing?.name).toBe("Billing service");
    expect([...(billing?.authMethods ?? [])]).toEqual(["client_secret_post"]);
    expect(billing?.defaultScopes).toEqual(["read:data"]);
    expect(billing?.claims).toEqual({ "https://example.com/tier": "gold", "https://example.com/limits": { daily: 10, tags: ["a", null, true] } });
    expect(billing?.tokenLifetimeSeconds).toBe(600);
    expect(billing?.rateLimitPerMinute).toBe(0);
    expect(billing?.introspect).toBe(false);
    const signer = config.clients.get("signer");
    expect([...(signer?.authMethods ?? [])]).toEqual(["private_key_jwt"]);
    expect(signer?.jwks).toEqual({ keys: [EC_PUBLIC_JWK] });
    expect(signer?.tokenLifetimeSeconds).toBe(7200);
    expect(signer?.rateLimitPerMinute).toBe(120);
    expect(config.clients.get("remote")?.jwksUri).toBe("https://keys.example.com/jwks.json");
  });

  it.each([
    ["http://localhost:9000", "http://localhost:9000", ""],
    ["http://127.0.0.1:9000/", "http://127.0.0.1:9000", ""],
    ["http://[::1]:9000/a/b", "http://[::1]:9000/a/b", "/a/b"],
    ["https://auth.example.com/tenant", "https://auth.example.com/tenant", "/tenant"],
  ])("accepts the issuer %s (base %s, path %j)", (issuer, base, issuerPath) => {
    const config = resolveConfig({ ...minimal(), issuer });
    expect(config.issuer).toBe(issuer);
    expect(config.base).toBe(base);
    expect(config.issuerPath).toBe(issuerPath);
    expect(config.endpoints.revocation).toBe(`${base}/oauth/revoke`);
  });

  it("defaults publishLeadSeconds to twice jwksMaxAgeSeconds, and directories resolve against baseDir", () => {
    const config = resolveConfig({ ...minimal(), keys: { jwksMaxAgeSeconds: 60, directory: "../keys" } }, { baseDir: "/srv/issuer/conf" });
    expect(config.keys.publishLeadSeconds).toBe(120);
    expect(config.keys.directory).toBe("/srv/issuer/keys");
  });

  it("does not keep a reference to the caller's arrays", () => {
    const input = minimal();
    const config = resolveConfig(input);
    const client = (input.clients as Client[])[0] as Client;
    (client.audiences as string[]).push("https://evil.example.com");
    expect(config.clients.get("billing")?.audiences).toEqual(["https://api.example.com"]);
  });
});

describe("resolveConfig: each rule broken once", () => {
  it.each(BROKEN)("%s", (_name, input, path, message) => {
    const problems = problemsOf(input);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });

  it("refuses duplicate client ids, naming both", () => {
    const config = minimal();
    const first = (config.clients as Client[])[0] as Client;
    config.clients = [first, { ...first, scopes: [] }];
    expect(problemsOf(config)).toEqual([{ path: "clients[1].clientId", message: '"billing" is also the clientId of clients[0]; client ids must be unique' }]);
  });
});

describe("resolveConfig: reporting", () => {
  it("reports every problem at once", () => {
    const config = {
      issuer: "http://auth.example.com",
      tokens: { lifetimeSeconds: 0 },
      store: { type: "redis" },
      clients: [
        { clientId: "a:b", secretHash: "plain", audiences: [], scopes: ["x y"], scope: [] },
        { clientId: "ok", secretHash: SECRET_HASH, audiences: ["https://api"], scopes: [], defaultScopes: ["x"] },
      ],
    };
    const problems = problemsOf(config);
    expect(problems.map((problem) => problem.path)).toEqual([
      "issuer",
      "tokens.lifetimeSeconds",
      "store.url",
      "clients[0].scope",
      "clients[0].clientId",
      "clients[0].secretHash",
      "clients[0].audiences",
      "clients[0].scopes[0]",
      "clients[1].defaultScopes[0]",
    ]);
    try {
      resolveConfig(config);
    } catch (error) {
      expect((error as Error).message).toMatch(/^the issuer configuration has 9 problems:\n {2}issuer: /);
    }
  });

  it("never repeats a secret in a message", () => {
    const secret = "my-very-secret-client-secret";
    const problems = problemsOf({
      ...minimal(),
      store: { type: "redis", url: `ftp://:${secret}@redis.example.com` },
      clients: [{ clientId: "x", secretHash: secret, audiences: ["a"], scopes: [] }],
    });
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(`${problem.path} ${problem.message}`).not.toContain(secret);
  });

  it("refuses null, arrays and primitives as the configuration", () => {
    for (const input of [null, undefined, 1, "config", []]) {
      const problems = problemsOf(input);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toBe("(the configuration)");
    }
  });

  it("never throws anything but IssuerConfigError for hostile input", () => {
    const hostile = [
      JSON.parse('{"__proto__": {"issuer": "https://x"}, "issuer": "https://auth.example.com", "clients": []}'),
      { ...minimal(), clients: [Object.create(null)] },
      { ...minimal(), clients: [{ ...((minimal().clients as Client[])[0] as Client), claims: { "https://x/c": new Date(0) } }] },
      { ...minimal(), keys: { directory: "a\0b" } },
      { ...minimal(), clients: [{ clientId: "x", jwks: { keys: [null, 1, "k"] }, audiences: ["a"], scopes: [] }] },
    ];
    for (const input of hostile) expect(problemsOf(input).length).toBeGreaterThan(0);
  });
});
