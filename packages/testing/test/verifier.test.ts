// tokenward's verifier against the mock issuer over real HTTP on 127.0.0.1:
// valid tokens for every algorithm and issuer shape, and every invalid token
// refused with the code INVALID_TOKENS promises.
import { createVerifier, TOKEN_ERRORS, type TokenErrorCode } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, INVALID_TOKENS, type InvalidTokenKind, MOCK_ALGORITHMS, type MockIssuer, TOKEN_PRESETS } from "../src/index.js";
import { decode, refusedWith } from "./helpers.js";

const KINDS = Object.keys(INVALID_TOKENS) as InvalidTokenKind[];

describe("valid tokens verify with tokenward", () => {
  for (const algorithm of MOCK_ALGORITHMS) {
    it(`${algorithm}: keys from the JWKS URL`, async () => {
      await using issuer = await createMockIssuer({ algorithms: [algorithm] });
      const verifier = createVerifier({ issuers: [issuer.policy()] });
      const token = await issuer.mint({ sub: "alice" }, { scopes: ["read:data"] });
      const verified = await verifier.verify(token);
      expect(verified.header).toMatchObject({ alg: algorithm, typ: "at+jwt", kid: issuer.jwks().keys[0]?.kid });
      expect(verified.subject).toBe("alice");
      expect(verified.scopes).toEqual(["read:data"]);
      expect(verified.claims).toMatchObject({ iss: issuer.issuer, aud: issuer.audience, client_id: issuer.client.clientId });
    });
  }

  for (const path of ["", "/realms/demo", "/", "/tenant-a/oauth2/default", "/realms/demo/"]) {
    it(`issuer path ${JSON.stringify(path)}: the JWKS found by discovery, iss exactly the issuer`, async () => {
      await using issuer = await createMockIssuer({ path });
      expect(issuer.issuer).toBe(`${issuer.url}${path}`);
      // No jwksUri: tokenward discovers it (OIDC first, then RFC 8414) and checks the metadata's issuer exactly.
      const verifier = createVerifier({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] });
      const verified = await verifier.verify(await issuer.mint());
      expect(verified.claims.iss).toBe(issuer.issuer);
      expect(issuer.requestCount("metadata")).toBe(1);
      expect(issuer.requestCount("jwks")).toBe(1);
    });
  }

  it("several algorithms: each mints with its own key, one JWKS holds them all", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["ES256", "RS256", "EdDSA"] });
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    expect(issuer.jwks().keys.map((key) => key.alg)).toEqual(["ES256", "RS256", "EdDSA"]);
    expect((await verifier.verify(await issuer.mint())).header.alg).toBe("ES256");
    for (const algorithm of ["RS256", "EdDSA"] as const) {
      expect((await verifier.verify(await issuer.mint({}, { algorithm }))).header.alg).toBe(algorithm);
    }
    expect(issuer.requestCount("jwks")).toBe(1);
  });

  it("a verifier on the mock's clock (now) agrees with tokens minted on it", async () => {
    const frozen = 1_700_000_000;
    await using issuer = await createMockIssuer({ now: () => frozen });
    const verifier = createVerifier({ issuers: [issuer.policy()], now: () => frozen });
    const token = await issuer.mint();
    expect(decode(token).payload).toMatchObject({ iat: frozen, exp: frozen + 3600 });
    await verifier.verify(token);
    const late = createVerifier({ issuers: [issuer.policy()], now: () => frozen + 3600 + 60 });
    await refusedWith(late.verify(token), "token_expired");
  });
});

describe("every invalid token is refused with the code INVALID_TOKENS names", () => {
  it("the table names real tokenward codes, each with its contract status", () => {
    for (const kind of KINDS) {
      const { code, status } = INVALID_TOKENS[kind];
      expect(Object.keys(TOKEN_ERRORS), kind).toContain(code);
      expect(TOKEN_ERRORS[code as TokenErrorCode].status, kind).toBe(status);
    }
  });

  for (const algorithm of ["RS256", "PS256", "ES256", "EdDSA"] as const) {
    describe(algorithm, () => {
      let issuer: MockIssuer;
      beforeAll(async () => {
        issuer = await createMockIssuer({ algorithms: [algorithm], path: "/realms/demo" });
      });
      afterAll(() => issuer.close());

      for (const kind of KINDS) {
        it(`${kind} -> ${INVALID_TOKENS[kind].code}`, async () => {
          // A fresh verifier per token: each refusal stands alone (no cool-down from an earlier kid miss).
          const verifier = createVerifier({ issuers: [issuer.policy()] });
          const token = await issuer.mintInvalid(kind, { scope: "read:data" });
          const error = await refusedWith(verifier.verify(token), INVALID_TOKENS[kind].code);
          expect(error.status).toBe(INVALID_TOKENS[kind].status);
          // The same claims minted validly pass: the defect named is the only reason.
          await verifier.verify(await issuer.mint({ scope: "read:data" }));
        });
      }
    });
  }

  for (const preset of TOKEN_PRESETS) {
    it(`${preset}-shaped invalid tokens are refused with the same codes`, async () => {
      await using issuer = await createMockIssuer({ preset });
      const verifier = createVerifier({ issuers: [issuer.policy()] });
      await verifier.verify(await issuer.mint());
      for (const kind of KINDS) {
        await refusedWith(verifier.verify(await issuer.mintInvalid(kind)), INVALID_TOKENS[kind].code);
      }
    });
  }

  it("each defect is what its name says", async () => {
    await using issuer = await createMockIssuer();
    const [published] = issuer.jwks().keys;
    const look = async (kind: InvalidTokenKind) => decode(await issuer.mintInvalid(kind, { sub: "bob" }));
    const now = Date.now() / 1000;
    expect((await look("expired")).payload.exp).toBeLessThan(now - 3000);
    expect((await look("notYetValid")).payload.nbf).toBeGreaterThan(now + 3000);
    expect((await look("wrongIssuer")).payload.iss).not.toBe(issuer.issuer);
    expect((await look("wrongAudience")).payload.aud).not.toBe(issuer.audience);
    expect((await look("foreignKey")).header.kid).toBe(published?.kid);
    expect((await look("unknownKid")).header.kid).not.toBe(published?.kid);
    const none = await issuer.mintInvalid("algNone");
    expect(decode(none).header.alg).toBe("none");
    expect(none.endsWith(".")).toBe(true);
    expect((await look("algorithmConfusion")).header).toMatchObject({ alg: "HS256", kid: published?.kid });
    expect((await look("tampered")).payload.sub).toBe("bob-tampered");
    expect((await look("idJag")).header.typ).toBe("oauth-id-jag+jwt");
  });
});
