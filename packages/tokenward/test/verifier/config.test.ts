import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy } from "../../src/index.js";
import { fetchSpy, NOW, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Configuration is checked once, at start-up: a mistake throws a ConfigError
// naming the field at fault, synchronously, before any token or request.

let key: TestKey;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
});

const policy = (overrides: Partial<IssuerPolicy> = {}) => ({ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...overrides }) as IssuerPolicy;

describe("config: verifier options", () => {
  it("refuses a missing options object", () => {
    expect(verifierConfigError(undefined).field).toBe("options");
    expect(verifierConfigError(null).field).toBe("options");
  });

  it("refuses an issuer policy that is not an object", () => {
    expect(verifierConfigError({ issuers: ["https://issuer.example.com"] }).field).toBe("issuers[0]");
    expect(verifierConfigError({ issuers: [null] }).field).toBe("issuers[0]");
  });

  for (const maxTokenBytes of [0, 63, 1024.5, -1, Number.NaN, "16384"]) {
    it(`refuses maxTokenBytes ${JSON.stringify(maxTokenBytes)}`, () => {
      const error = verifierConfigError({ issuers: [policy()], maxTokenBytes });
      expect(error.field).toBe("maxTokenBytes");
      expect(error.message).toContain("at least 64");
    });
  }

  it("refuses a now that is not a function", () => {
    expect(verifierConfigError({ issuers: [policy()], now: NOW }).field).toBe("now");
  });

  for (const clockTolerance of [-1, Number.NaN, Number.POSITIVE_INFINITY, "5"]) {
    it(`refuses clockTolerance ${String(clockTolerance)} at either level`, () => {
      expect(verifierConfigError({ issuers: [policy()], clockTolerance }).field).toBe("clockTolerance");
      expect(verifierConfigError({ issuers: [policy({ clockTolerance: clockTolerance as number })] }).field).toBe("issuers[0].clockTolerance");
    });
  }

  it("refuses a negative maxTokenAge", () => {
    expect(verifierConfigError({ issuers: [policy({ maxTokenAge: -60 })] }).field).toBe("issuers[0].maxTokenAge");
  });

  it("refuses unknown or non-positive JWKS options, naming the option", () => {
    const unknown = verifierConfigError({
      issuers: [policy({ jwks: undefined, jwksUri: "https://issuer.example.com/jwks", jwksOptions: { cooldown: 5 } as never })],
    });
    expect(unknown.field).toBe("issuers[0].jwksOptions.cooldown");
    expect(unknown.message).toContain("cooldownMs");
    const negative = verifierConfigError({ issuers: [policy({ jwks: undefined, jwksUri: "https://issuer.example.com/jwks" })], jwks: { timeoutMs: -1 } });
    expect(negative.field).toBe("jwks.timeoutMs");
    const zero = verifierConfigError({ issuers: [policy({ jwks: undefined, jwksUri: "https://issuer.example.com/jwks", jwksOptions: { maxBytes: 0 } })] });
    expect(zero.field).toBe("issuers[0].jwksOptions.maxBytes");
  });

  it("refuses a static JWKS that is not a JWK Set", () => {
    expect(verifierConfigError({ issuers: [policy({ jwks: {} as never })] }).message).toContain('no "keys" array');
    expect(verifierConfigError({ issuers: [policy({ jwks: { keys: [] } })] }).message).toContain("no usable key");
  });

  it("refuses a secret of the wrong shape", () => {
    expect(verifierConfigError({ issuers: [policy({ jwks: undefined, secret: [] })] }).field).toBe("issuers[0].secret");
    expect(verifierConfigError({ issuers: [policy({ jwks: undefined, secret: 42 as never })] }).field).toBe("issuers[0].secret");
  });

  it("refuses a JWKS URL over http off loopback, with credentials, or with a fragment", () => {
    for (const jwksUri of [
      "http://issuer.example.com/jwks",
      "https://user:pass@issuer.example.com/jwks",
      "https://issuer.example.com/jwks#keys",
      "ftp://x/jwks",
      "/jwks",
    ]) {
      expect(verifierConfigError({ issuers: [policy({ jwks: undefined, jwksUri })] }).field).toBe("issuers[0].jwksUri");
    }
  });

  it("accepts http on loopback, and elsewhere only with dangerouslyAllowInsecureHttp", () => {
    for (const jwksUri of ["http://127.0.0.1:9000/jwks", "http://localhost/jwks", "http://[::1]:8080/jwks"]) {
      expect(() => createVerifier({ issuers: [policy({ jwks: undefined, jwksUri })] })).not.toThrow();
    }
    expect(() =>
      createVerifier({ issuers: [policy({ jwks: undefined, jwksUri: "http://issuer.example.com/jwks", dangerouslyAllowInsecureHttp: true })] }),
    ).not.toThrow();
  });

  it("refuses jwksUri together with discoveryUrl", () => {
    const error = verifierConfigError({
      issuers: [
        policy({ jwks: undefined, jwksUri: "https://issuer.example.com/jwks", discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration" }),
      ],
    });
    expect(error.field).toBe("issuers[0].discoveryUrl");
  });

  it("fetches nothing at start-up, and fetches once the first token arrives", async () => {
    const url = "https://issuer.example.com/jwks";
    const spy = fetchSpy({ [url]: jwksOf(key) });
    const verifier = createVerifier({ now: () => NOW, fetchJson: spy.fetchJson, issuers: [policy({ jwks: undefined, jwksUri: url })] });
    expect(spy.calls).toEqual([]);
    await verifier.verify(await signToken(key, accessClaims({}, NOW)));
    expect(spy.calls).toEqual([url]);
  });

  it("shares one JWKS cache between issuers with the same JWKS URL", async () => {
    const url = "https://keys.example.com/jwks";
    const spy = fetchSpy({ [url]: jwksOf(key) });
    const verifier = createVerifier({
      now: () => NOW,
      fetchJson: spy.fetchJson,
      issuers: [
        { issuer: "https://one.example.com", audience: AUDIENCE, jwksUri: url },
        { issuer: "https://two.example.com", audience: AUDIENCE, jwksUri: url },
      ],
    });
    await verifier.verify(await signToken(key, accessClaims({ iss: "https://one.example.com" }, NOW)));
    await verifier.verify(await signToken(key, accessClaims({ iss: "https://two.example.com" }, NOW)));
    expect(spy.calls).toEqual([url]);
  });

  it("accepts a verifier with the force-selected backends", async () => {
    for (const crypto of ["auto", "node", "webcrypto"] as const) {
      const verifier = createVerifier({ crypto, now: () => NOW, issuers: [policy()] });
      await expect(verifier.verify(await signToken(key, accessClaims({}, NOW)))).resolves.toBeDefined();
    }
  });
});
