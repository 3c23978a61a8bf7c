// trustedIdentityProviders and idJag through resolveConfig: defaults, and
// each rule broken alone reported with its path and the fix.
import { describe, expect, it } from "vitest";
import { IssuerConfigError, resolveConfig } from "../../../src/config/resolve.js";
import { createIssuer } from "../../../src/create-issuer.js";
import { IDP, JWT_BEARER, TRUST_BROKEN, TRUST_GOOD, trusting } from "./config-cases.js";

function problems(input: unknown): { path: string; message: string }[] {
  try {
    resolveConfig(input, { baseDir: "/srv" });
  } catch (error) {
    if (error instanceof IssuerConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("trustedIdentityProviders and idJag", () => {
  it("default to no trusted provider, single use, 300 s lifetime and 30 s tolerance", () => {
    const config = resolveConfig({ issuer: "https://auth.example.com", clients: (trusting([]).clients as unknown[]).slice(1) });
    expect(config.trustedIdentityProviders.size).toBe(0);
    expect(config.idJag).toEqual({ reuse: "single-use", maxLifetimeSeconds: 300, clockToleranceSeconds: 30 });
  });

  it("default a provider to discovery, every asymmetric algorithm, the jwt-bearer clients and subjects passed through", () => {
    const config = resolveConfig(trusting([{ issuer: IDP }]));
    const provider = config.trustedIdentityProviders.get(IDP);
    expect(provider).toMatchObject({ issuer: IDP, jwksUri: undefined, jwks: undefined, subject: { prefix: "", accounts: [], unmatched: "sub" } });
    expect(provider?.algorithms).toEqual(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"]);
    // "agent" has the jwt-bearer grant, "billing" does not.
    expect([...(provider?.clients ?? [])]).toEqual(["agent"]);
    expect(config.clients.get("agent")?.grantTypes.has(JWT_BEARER)).toBe(true);
  });

  it.each(TRUST_GOOD)("accepts %s", (_name, input) => {
    expect(problems(input)).toEqual([]);
  });

  it("keeps every field of the fullest configuration", () => {
    const config = resolveConfig(TRUST_GOOD[1]?.[1]);
    expect(config.idJag).toEqual({ reuse: "allow-reuse", maxLifetimeSeconds: 600, clockToleranceSeconds: 5 });
    expect(config.trustedIdentityProviders.get(IDP)).toMatchObject({
      jwksUri: "https://idp.example.com/oauth2/v1/keys",
      algorithms: ["RS256", "ES256"],
      subject: {
        prefix: "okta|",
        unmatched: "sub",
        accounts: [{ match: { email: "ada@example.com" }, subject: "user-1" }, { match: { sub: "U1", tenant: "acme" } }],
      },
    });
    expect(config.trustedIdentityProviders.get("http://127.0.0.1:9000/tenant")?.jwks?.keys).toHaveLength(1);
  });

  it.each(TRUST_BROKEN)("refuses %s, saying where and how to fix it", (_name, input, path, message) => {
    const found = problems(input);
    expect(found, JSON.stringify(found)).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it("stops createIssuer before anything starts when the issuer trusts itself (draft §8.3)", async () => {
    const input = trusting([{ issuer: "https://auth.example.com" }]);
    await expect(
      createIssuer({ ...(input as unknown as Parameters<typeof createIssuer>[0]), keys: { directory: "/nonexistent/never-created" } }),
    ).rejects.toThrow(/trustedIdentityProviders\[0\]\.issuer: is this server's own issuer/);
  });
});
