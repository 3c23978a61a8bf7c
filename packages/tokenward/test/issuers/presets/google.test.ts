import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, google } from "../../../src/index.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// Google's published values (https://accounts.google.com/.well-known/openid-configuration).
const JWKS = "https://www.googleapis.com/oauth2/v3/certs";
const CLIENT = "1234567890-abc123def456.apps.googleusercontent.com";

// A Google ID token: aud is the OAuth client id; hd only for Workspace accounts.
function idToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return freshen({
    iss: "https://accounts.google.com",
    azp: CLIENT,
    aud: CLIENT,
    sub: "110169484474386276334",
    hd: "example.com",
    email: "jane@example.com",
    email_verified: true,
    at_hash: "HK6E_P6Dh8Y93mRNtsDB1Q",
    name: "Jane Doe",
    iat: 1735686000,
    exp: 1735689600,
    ...overrides,
  });
}

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

const sign = (claims: Record<string, unknown>) => signToken(key, claims, { typ: "JWT" });

describe("google preset", () => {
  it("trusts both spellings of Google's iss, with keys at https://www.googleapis.com/oauth2/v3/certs", () => {
    const policies = google({ audience: CLIENT });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri, policy.audience])).toEqual([
      ["https://accounts.google.com", JWKS, CLIENT],
      ["accounts.google.com", JWKS, CLIENT],
    ]);
  });

  for (const crypto of BACKENDS) {
    it(`verifies tokens with either iss spelling through ONE JWKS fetch (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [JWKS]: jwksOf(key) });
      const verifier = createVerifier({ crypto, fetchJson: fetcher.fetchJson, issuers: [google({ audience: CLIENT })] });
      const withScheme = await verifier.verify(await sign(idToken()));
      const bare = await verifier.verify(await sign(idToken({ iss: "accounts.google.com" })));
      expect(withScheme.issuer.issuer).toBe("https://accounts.google.com");
      expect(bare.issuer.issuer).toBe("accounts.google.com");
      expect(bare.claims.email).toBe("jane@example.com");
      expect(fetcher.requests).toEqual([JWKS]);
    });
  }

  it("refuses an ID token minted for another OAuth client (audience_mismatch)", async () => {
    const verifier = createVerifier({ fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson, issuers: [google({ audience: CLIENT })] });
    await rejection(verifier.verify(await sign(idToken({ aud: "999-other.apps.googleusercontent.com" }))), "audience_mismatch");
  });

  it("with hostedDomain, accepts only accounts of that Workspace domain (the hd claim)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson,
      issuers: [google({ audience: CLIENT, hostedDomain: "example.com" })],
    });
    await expect(verifier.verify(await sign(idToken()))).resolves.toBeDefined();
    await rejection(verifier.verify(await sign(idToken({ hd: "evil.example" }))), "claim_invalid");
    // A consumer gmail.com account has no hd at all.
    await rejection(verifier.verify(await sign(idToken({ hd: undefined, email: "jane@gmail.com" }))), "claim_missing");
  });

  it("keeps the user's own claims next to hostedDomain", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [JWKS]: jwksOf(key) }).fetchJson,
      issuers: [google({ audience: CLIENT, hostedDomain: "example.com", claims: { email_verified: true } })],
    });
    await expect(verifier.verify(await sign(idToken()))).resolves.toBeDefined();
    await rejection(verifier.verify(await sign(idToken({ email_verified: false }))), "claim_invalid");
  });

  it("requires the OAuth client id as audience (google.audience)", () => {
    configError(() => google({} as unknown as Parameters<typeof google>[0]), "google.audience");
  });
});
