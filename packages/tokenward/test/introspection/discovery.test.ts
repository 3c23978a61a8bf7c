import { describe, expect, it } from "vitest";
import { createVerifier, type IntrospectionOptions } from "../../src/index.js";
import { refusal } from "../helpers/jwks-faults.js";
import { API, activeAnswer, CLIENT_ID, CLIENT_SECRET, json, opaqueToken, PATH, useIntrospectionServer } from "./helpers.js";

// Without `endpoint`, the introspection endpoint comes from the issuer's
// metadata (RFC 8414 §2 introspection_endpoint), under the same rules as
// jwks_uri: exact issuer, https or loopback, never from a token.

const as = useIntrospectionServer();
const OIDC = "/.well-known/openid-configuration";

function discovering(issuer: string, extra: Partial<IntrospectionOptions> = {}, discoveryUrl?: string) {
  return createVerifier({
    issuers: [
      {
        issuer,
        audience: API,
        ...(discoveryUrl === undefined ? {} : { discoveryUrl }),
        introspection: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra },
      },
    ],
  });
}

describe("introspection_endpoint from the issuer's metadata", () => {
  it("is found through discovery once, then used for every token", async () => {
    const issuer = as.current.server.origin;
    as.current.server.json(OIDC, { issuer, jwks_uri: `${issuer}/jwks`, introspection_endpoint: as.current.endpoint });
    as.current.answer(activeAnswer({ iss: issuer }));
    const verifier = discovering(issuer);
    const concurrent = await Promise.all([opaqueToken(), opaqueToken(), opaqueToken()].map((token) => verifier.verify(token)));
    expect(concurrent.every((verified) => verified.issuer.issuer === issuer)).toBe(true);
    await verifier.verify(opaqueToken());
    expect(as.current.server.count(OIDC)).toBe(1);
    expect(as.current.requests).toHaveLength(4);
  });

  it("falls back to RFC 8414 path insertion for an issuer with a path", async () => {
    const issuer = `${as.current.server.origin}/tenant`;
    as.current.server.json("/.well-known/oauth-authorization-server/tenant", { issuer, introspection_endpoint: as.current.endpoint });
    as.current.answer(activeAnswer({ iss: issuer }));
    await expect(discovering(issuer).verify(opaqueToken())).resolves.toBeDefined();
  });

  it("uses the policy's discoveryUrl when set", async () => {
    const issuer = as.current.server.origin;
    as.current.server.json("/custom-metadata", { issuer, introspection_endpoint: as.current.endpoint });
    as.current.answer(activeAnswer({ iss: issuer }));
    await expect(discovering(issuer, {}, `${issuer}/custom-metadata`).verify(opaqueToken())).resolves.toBeDefined();
    expect(as.current.server.count(OIDC)).toBe(0);
  });

  it("metadata naming another issuer is refused (RFC 8414 §3.3): introspection_unavailable, nothing introspected", async () => {
    const issuer = as.current.server.origin;
    as.current.server.json(OIDC, { issuer: `${issuer}/`, introspection_endpoint: as.current.endpoint });
    const error = await refusal(discovering(issuer).verify(opaqueToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("differs only by a trailing slash");
    expect(as.current.requests).toHaveLength(0);
  });

  it("metadata without introspection_endpoint: the hint says to configure it", async () => {
    const issuer = as.current.server.origin;
    as.current.server.json(OIDC, { issuer, jwks_uri: `${issuer}/jwks` });
    const error = await refusal(discovering(issuer).verify(opaqueToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("has no introspection_endpoint; configure introspection.endpoint");
  });

  it("a discovered http endpoint off loopback is refused: the secret would travel in clear", async () => {
    const issuer = as.current.server.origin;
    as.current.server.json(OIDC, { issuer, introspection_endpoint: "http://as.example.com/introspect" });
    const error = await refusal(discovering(issuer).verify(opaqueToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("which is refused");
  });

  it("when discovery fails, new requests back off instead of each fetching the metadata", async () => {
    const issuer = as.current.server.origin;
    as.current.server.route(OIDC, (_request, response) => json(response, {}, 500));
    const verifier = discovering(issuer, { failureBackoffMs: 10_000 });
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("introspection_unavailable");
    const error = await refusal(verifier.verify(opaqueToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain("introspection.failureBackoffMs");
    // Both discovery URLs were tried once; the second request tried none.
    expect(as.current.server.count(OIDC)).toBe(1);
    expect(as.current.server.count(PATH)).toBe(0);
  });
});
