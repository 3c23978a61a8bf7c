// tokenward's own RFC 7662 client (an issuer policy's `introspection`)
// against the mock's introspection endpoint: opaque tokens accepted with
// their claims, revoked ones token_inactive, an endpoint in trouble
// introspection_unavailable.
import { createVerifier } from "tokenward";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, type MockIssuer } from "../src/index.js";
import { refusedWith } from "./helpers.js";

let issuer: MockIssuer;
beforeAll(async () => {
  issuer = await createMockIssuer({ path: "/realms/demo" });
});
afterEach(() => issuer.reset());
afterAll(() => issuer.close());

// The endpoint is discovered from the metadata, as in production.
const verifierFor = () =>
  createVerifier({ issuers: [issuer.policy({ introspection: { clientId: issuer.client.clientId, clientSecret: issuer.client.clientSecret } })] });

describe("opaque tokens through tokenward's introspection", () => {
  it("an active opaque token verifies with its claims; JWTs still verify locally", async () => {
    const verifier = verifierFor();
    const verified = await verifier.verify(issuer.mintOpaque({ sub: "opaque-user" }, { scopes: ["read:orders"] }));
    expect(verified.subject).toBe("opaque-user");
    expect(verified.scopes).toEqual(["read:orders"]);
    expect(issuer.requestCount("introspection")).toBe(1);
    await verifier.verify(await issuer.mint());
    expect(issuer.requestCount("introspection")).toBe(1);
  });

  it("revoked, expired or unknown: token_inactive", async () => {
    const verifier = verifierFor();
    const revoked = issuer.mintOpaque();
    issuer.revoke(revoked);
    await refusedWith(verifier.verify(revoked), "token_inactive");
    await refusedWith(verifier.verify(issuer.mintOpaque({}, { expiresIn: -1 })), "token_inactive");
    await refusedWith(verifier.verify("never-issued-opaque-token"), "token_inactive");
  });

  it("another API's audience in the answer: audience_mismatch", async () => {
    await refusedWith(verifierFor().verify(issuer.mintOpaque({ aud: "https://another-api.example" })), "audience_mismatch");
  });

  it("the endpoint down or failing: introspection_unavailable (503)", async () => {
    issuer.fault("introspection", { kind: "status", status: 503 });
    const error = await refusedWith(verifierFor().verify(issuer.mintOpaque()), "introspection_unavailable");
    expect(error.status).toBe(503);
    issuer.fault("introspection", { kind: "invalid-json" });
    await refusedWith(verifierFor().verify(issuer.mintOpaque()), "introspection_unavailable");
  });

  it("wrong client credentials are the operator's problem, not the token's: introspection_unavailable", async () => {
    const verifier = createVerifier({ issuers: [issuer.policy({ introspection: { clientId: "test-client", clientSecret: "wrong" } })] });
    const error = await refusedWith(verifier.verify(issuer.mintOpaque()), "introspection_unavailable");
    expect(error.hint).toContain('HTTP 401, error "invalid_client"');
  });
});
