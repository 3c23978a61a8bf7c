import { describe, expect, it } from "vitest";
import { ConfigError, createVerifier, type IntrospectionOptions, type IssuerPolicy, type VerifierOptions } from "../../src/index.js";
import { refusal } from "../helpers/jwks-faults.js";
import { API, AS_ISSUER, activeAnswer, CLIENT_ID, CLIENT_SECRET, opaqueToken, useIntrospectionServer } from "./helpers.js";

// Introspection is configured per issuer and checked at start-up: every
// mistake is a ConfigError naming the field, and none quotes the secret.

const ENDPOINT = "https://as.example.com/oauth/introspect";

function configError(options: VerifierOptions): ConfigError {
  try {
    createVerifier(options);
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    expect(error.message).not.toContain(CLIENT_SECRET);
    return error;
  }
  throw new Error("expected a ConfigError");
}

function withIntrospection(introspection: unknown, policy: Partial<IssuerPolicy> = {}): VerifierOptions {
  return { issuers: [{ issuer: AS_ISSUER, audience: API, ...policy, introspection: introspection as IntrospectionOptions }] };
}

const valid: IntrospectionOptions = { endpoint: ENDPOINT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };

describe("which issuer takes opaque tokens", () => {
  it("two issuers that both take opaque tokens are ambiguous: a ConfigError says how to choose", () => {
    const error = configError({
      issuers: [
        { issuer: AS_ISSUER, audience: API, introspection: valid },
        { issuer: "https://other.example.com", audience: API, introspection: { ...valid, endpoint: "https://other.example.com/introspect" } },
      ],
    });
    expect(error.field).toBe("issuers[1].introspection.opaqueTokens");
    expect(error.message).toContain('issuers[0] ("https://as.example.com") already takes opaque tokens');
    expect(error.message).toContain("opaqueTokens: false");
  });

  it("opaqueTokens: false on all but one resolves it (the other may still introspect its JWTs)", () => {
    expect(() =>
      createVerifier({
        issuers: [
          { issuer: AS_ISSUER, audience: API, introspection: valid },
          {
            issuer: "https://other.example.com",
            audience: API,
            introspection: { ...valid, endpoint: "https://other.example.com/introspect", opaqueTokens: false, introspectJwts: true },
          },
        ],
      }),
    ).not.toThrow();
  });

  it("presets carry introspection too (an array of policies counts as several issuers)", () => {
    const error = configError({
      issuers: [
        [
          { issuer: AS_ISSUER, audience: API, introspection: valid },
          { issuer: "https://b.example.com", audience: API, introspection: valid },
        ],
      ],
    });
    expect(error.field).toBe("issuers[0][1].introspection.opaqueTokens");
  });
});

describe("each field is checked", () => {
  const cases: [string, unknown, Partial<IssuerPolicy>, string, RegExp][] = [
    ["not an object", "yes", {}, "issuers[0].introspection", /must be \{ clientId/],
    ["an unknown option", { ...valid, secret: "x" }, {}, "issuers[0].introspection.secret", /unknown option; known: endpoint, clientId/],
    ["no clientId", { ...valid, clientId: undefined }, {}, "issuers[0].introspection.clientId", /required/],
    ["an empty clientSecret", { ...valid, clientSecret: "" }, {}, "issuers[0].introspection.clientSecret", /required/],
    ["a clientSecret that is not a string", { ...valid, clientSecret: 42 }, {}, "issuers[0].introspection.clientSecret", /required/],
    ["a lone surrogate in the secret", { ...valid, clientSecret: "ab\uD800cd" }, {}, "issuers[0].introspection.clientSecret", /surrogate/],
    ["an unknown auth method", { ...valid, auth: "private_key_jwt" }, {}, "issuers[0].introspection.auth", /client_secret_basic/],
    ["an http endpoint off loopback", { ...valid, endpoint: "http://as.example.com/introspect" }, {}, "issuers[0].introspection.endpoint", /https/],
    ["credentials in the endpoint URL", { ...valid, endpoint: "https://u:p@as.example.com/i" }, {}, "issuers[0].introspection.endpoint", /credentials/],
    ["a relative endpoint", { ...valid, endpoint: "/introspect" }, {}, "issuers[0].introspection.endpoint", /not an absolute URL/],
    ["nothing to introspect", { ...valid, opaqueTokens: false }, {}, "issuers[0].introspection", /introspect nothing/],
    ["a non-boolean flag", { ...valid, introspectJwts: "yes" }, {}, "issuers[0].introspection.introspectJwts", /true or false/],
    ["a zero timeout", { ...valid, timeoutMs: 0 }, {}, "issuers[0].introspection.timeoutMs", /positive/],
    ["a negative backoff", { ...valid, failureBackoffMs: -1 }, {}, "issuers[0].introspection.failureBackoffMs", /0 or more/],
    ["a cache that is not an object", { ...valid, cache: true }, {}, "issuers[0].introspection.cache", /must be false/],
    ["an unknown cache option", { ...valid, cache: { ttl: 5 } }, {}, "issuers[0].introspection.cache.ttl", /unknown option/],
    ["a negative cache TTL", { ...valid, cache: { maxTtlSeconds: -5 } }, {}, "issuers[0].introspection.cache.maxTtlSeconds", /positive/],
    [
      "a {tenantid} template",
      valid,
      { issuer: "https://login.example.com/{tenantid}/v2.0", tenants: ["t1"], jwksUri: "https://login.example.com/keys" },
      "issuers[0].introspection",
      /exact issuer/,
    ],
    [
      "no endpoint and an issuer that cannot be discovered from",
      { ...valid, endpoint: undefined },
      { issuer: "http://as.example.com", jwksUri: "https://as.example.com/jwks" },
      "issuers[0].introspection.endpoint",
      /cannot be discovered/,
    ],
  ];
  for (const [what, introspection, policy, field, message] of cases) {
    it(`${what}: ConfigError at ${field}`, () => {
      const error = configError(withIntrospection(introspection, policy));
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });
  }

  it("the secret's value appears in no ConfigError, even when the secret is what is wrong", () => {
    const error = configError(withIntrospection({ ...valid, clientSecret: `${CLIENT_SECRET}\uD800` }));
    expect(error.field).toBe("issuers[0].introspection.clientSecret");
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it("dangerouslyAllowInsecureHttp allows an http endpoint off loopback", () => {
    expect(() =>
      createVerifier(withIntrospection({ ...valid, endpoint: "http://as.internal/introspect" }, { dangerouslyAllowInsecureHttp: true })),
    ).not.toThrow();
  });
});

describe("without introspection", () => {
  const as = useIntrospectionServer();

  it("an opaque token is token_malformed, as before, and no server is asked", async () => {
    as.current.answer(activeAnswer());
    const verifier = createVerifier({ issuers: [{ issuer: AS_ISSUER, audience: API, jwksUri: "https://as.example.com/jwks" }] });
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("token_malformed");
    expect(as.current.requests).toHaveLength(0);
  });

  it("with introspectJwts only, opaque tokens are not introspected either", async () => {
    as.current.answer(activeAnswer());
    const verifier = createVerifier(
      withIntrospection({ ...valid, endpoint: as.current.endpoint, opaqueTokens: false, introspectJwts: true }, { jwksUri: "https://as.example.com/jwks" }),
    );
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("token_malformed");
    expect(as.current.requests).toHaveLength(0);
  });
});
