import { describe, expect, it } from "vitest";
import { ConfigError, createVerifier, fromEnv } from "../../src/index.js";
import { configError } from "../helpers/provider-fixtures.js";
import { API, AS_ISSUER, activeAnswer, CLIENT_ID, CLIENT_SECRET, opaqueToken, useIntrospectionServer } from "./helpers.js";

// Introspection configured from the environment only, as a service built
// with the adapters' default (fromEnv) would have it.

const as = useIntrospectionServer();
const BASE = { TOKENWARD_ISSUER: AS_ISSUER, TOKENWARD_AUDIENCE: API };

describe("fromEnv: TOKENWARD_INTROSPECTION_*", () => {
  it("an opaque token is introspected at the endpoint with the client from the environment (Basic, RFC 7662 §2.1)", async () => {
    as.current.answer(activeAnswer());
    const verifier = createVerifier(
      fromEnv({
        ...BASE,
        TOKENWARD_INTROSPECTION_CLIENT_ID: CLIENT_ID,
        TOKENWARD_INTROSPECTION_CLIENT_SECRET: CLIENT_SECRET,
        TOKENWARD_INTROSPECTION_ENDPOINT: as.current.endpoint,
      }),
    );
    const token = opaqueToken();
    const verified = await verifier.verify(token);
    expect(verified.subject).toBe("user-1");
    expect(verified.issuer.issuer).toBe(AS_ISSUER);
    expect(as.current.requests).toHaveLength(1);
    const [request] = as.current.requests;
    expect(request?.params.get("token")).toBe(token);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`);
  });

  it("builds the policy's introspection; TOKENWARD_INTROSPECT_JWTS=true turns on JWT introspection", () => {
    const options = fromEnv({
      ...BASE,
      TOKENWARD_INTROSPECTION_CLIENT_ID: "api",
      TOKENWARD_INTROSPECTION_CLIENT_SECRET: "s3cret",
      TOKENWARD_INTROSPECT_JWTS: "TRUE",
    });
    expect(options.issuers).toEqual([{ issuer: AS_ISSUER, audience: [API], introspection: { clientId: "api", clientSecret: "s3cret", introspectJwts: true } }]);
    expect(fromEnv(BASE).issuers[0]).not.toHaveProperty("introspection");
  });

  it("refuses half a client, several issuers, a bad endpoint or flag, and never repeats the secret", () => {
    const secret = "never-shown-9d2f";
    const cases: [Record<string, string>, string][] = [
      [{ TOKENWARD_INTROSPECTION_CLIENT_ID: "api" }, "TOKENWARD_INTROSPECTION_CLIENT_SECRET"],
      [{ TOKENWARD_INTROSPECTION_CLIENT_SECRET: secret }, "TOKENWARD_INTROSPECTION_CLIENT_ID"],
      [{ TOKENWARD_INTROSPECTION_ENDPOINT: "https://as.example.com/introspect" }, "TOKENWARD_INTROSPECTION_ENDPOINT"],
      [{ TOKENWARD_INTROSPECT_JWTS: "true" }, "TOKENWARD_INTROSPECT_JWTS"],
      [
        { TOKENWARD_ISSUER: `${AS_ISSUER},https://other.example.com`, TOKENWARD_INTROSPECTION_CLIENT_ID: "api", TOKENWARD_INTROSPECTION_CLIENT_SECRET: secret },
        "TOKENWARD_INTROSPECTION_CLIENT_ID",
      ],
      [
        {
          TOKENWARD_INTROSPECTION_CLIENT_ID: "api",
          TOKENWARD_INTROSPECTION_CLIENT_SECRET: secret,
          TOKENWARD_INTROSPECTION_ENDPOINT: "http://as.example.com/introspect",
        },
        "TOKENWARD_INTROSPECTION_ENDPOINT",
      ],
      [
        { TOKENWARD_INTROSPECTION_CLIENT_ID: "api", TOKENWARD_INTROSPECTION_CLIENT_SECRET: secret, TOKENWARD_INTROSPECT_JWTS: "yes" },
        "TOKENWARD_INTROSPECT_JWTS",
      ],
    ];
    for (const [env, field] of cases) {
      const error = configError(() => fromEnv({ ...BASE, ...env }), field);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).not.toContain(secret);
    }
  });
});
