import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireScopes } from "../../src/authz/guards.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { type AuthOptions, resolveAuthOptions } from "../../src/http/options.js";
import { protectedResourceMetadata } from "../../src/http/resource-metadata.js";
import { createVerifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { withEnv } from "../helpers/scoped-env.js";

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(ConfigError.is(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

let key: TestKey;
let jwks: TestServer;

beforeAll(async () => {
  key = await generateKey("ES256", "env-key");
  jwks = await startServer();
  jwks.json("/jwks", jwksOf(key));
});
afterAll(async () => {
  await jwks.close();
});

const verifier = () => createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });

describe("resolveAuthOptions: defaults", () => {
  it("is strict by default: realm api, no optional auth, no query or body tokens, no guards", () => {
    const resolved = resolveAuthOptions({ verifier: verifier() });
    expect(resolved).toMatchObject({
      realm: "api",
      optional: false,
      guards: [],
      allowQueryToken: false,
      allowBodyToken: false,
      resourceMetadata: undefined,
      onDecision: undefined,
    });
  });

  it("takes resourceMetadata as a URL string or as the metadata helper's result", () => {
    const metadata = protectedResourceMetadata({ resource: "https://api.example.com/v1" });
    expect(resolveAuthOptions({ verifier: verifier(), resourceMetadata: metadata }).resourceMetadata).toBe(
      "https://api.example.com/.well-known/oauth-protected-resource/v1",
    );
    expect(resolveAuthOptions({ verifier: verifier(), resourceMetadata: "https://x.example/m" }).resourceMetadata).toBe("https://x.example/m");
  });

  it("only a literal true turns on optional auth, query tokens and body tokens", () => {
    const truthy = { optional: "yes", allowQueryToken: 1, allowBodyToken: "true" } as unknown as AuthOptions;
    expect(resolveAuthOptions({ verifier: verifier(), ...truthy })).toMatchObject({ optional: false, allowQueryToken: false, allowBodyToken: false });
  });
});

describe("resolveAuthOptions: mistakes are ConfigErrors at start-up", () => {
  it("refuses a realm with a quote, a backslash or a line break (it goes into a quoted-string, RFC 9110 §5.6.4)", () => {
    for (const realm of ['my "api"', "back\\slash", "two\nlines", "cr\r"]) {
      expect(configError(() => resolveAuthOptions({ verifier: verifier(), realm })).field).toBe("realm");
    }
  });

  it("refuses a realm that is not a string", () => {
    expect(configError(() => resolveAuthOptions({ verifier: verifier(), realm: 42 as unknown as string })).field).toBe("realm");
  });

  it("accepts a realm with spaces and punctuation", () => {
    expect(resolveAuthOptions({ verifier: verifier(), realm: "Example API (v2), prod" }).realm).toBe("Example API (v2), prod");
  });

  it("refuses guards that are not an array of functions", () => {
    for (const guards of ["read:data", [requireScopes("a"), "read:data"], [undefined], { 0: requireScopes("a") }, requireScopes("a")]) {
      const error = configError(() => resolveAuthOptions({ verifier: verifier(), guards: guards as unknown as AuthOptions["guards"] }));
      expect(error.field).toBe("guards");
      expect(error.message).toContain("requireScopes");
    }
  });

  it("refuses an onDecision that is not a function", () => {
    expect(configError(() => resolveAuthOptions({ verifier: verifier(), onDecision: "console.log" as unknown as AuthOptions["onDecision"] })).field).toBe(
      "onDecision",
    );
  });

  it("refuses options that are not an object", () => {
    expect(configError(() => resolveAuthOptions(null as unknown as AuthOptions)).field).toBe("options");
    expect(configError(() => resolveAuthOptions("strict" as unknown as AuthOptions)).field).toBe("options");
  });
});

describe("resolveAuthOptions: the verifier from the environment", () => {
  it("builds a verifier from TOKENWARD_ISSUER, TOKENWARD_AUDIENCE and TOKENWARD_JWKS_URI when none is given", async () => {
    await withEnv({ TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: AUDIENCE, TOKENWARD_JWKS_URI: `${jwks.origin}/jwks` }, async () => {
      const resolved = resolveAuthOptions();
      expect(resolved.verifier.issuers.map((info) => info.issuer)).toEqual([ISSUER]);
      const verified = await resolved.verifier.verify(await signToken(key, accessClaims()));
      expect(verified.subject).toBe("user-1");
      expect(jwks.count("/jwks")).toBeGreaterThan(0);
    });
  });

  it("a missing environment is a ConfigError when the options are resolved, naming the variable", async () => {
    await withEnv({}, () => {
      expect(configError(() => resolveAuthOptions({ realm: "api" })).field).toBe("TOKENWARD_ISSUER");
    });
    await withEnv({ TOKENWARD_ISSUER: ISSUER }, () => {
      expect(configError(() => resolveAuthOptions()).field).toBe("TOKENWARD_AUDIENCE");
    });
  });

  it("an explicit verifier means the environment is not read at all", async () => {
    await withEnv({}, () => {
      expect(() => resolveAuthOptions({ verifier: verifier() })).not.toThrow();
    });
  });
});
