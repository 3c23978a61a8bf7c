import { beforeAll, describe, expect, it } from "vitest";
import { cognito, createVerifier } from "../../../src/index.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../../helpers/keys.js";
import { BACKENDS, configError, freshen, recordingFetcher, rejection } from "../../helpers/provider-fixtures.js";

// From the provider seed (AWS Cognito section).
const POOL = "us-east-1_abcdefg";
const SEED_AUDIENCE = "your-api-audience";
const SEED_ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg";
const SEED_JWKS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg/.well-known/jwks.json";
const UPDATED_ISS = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg";
const UPDATED_JWKS = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg/.well-known/jwks.json";
const SEED_TOKEN = {
  sub: "1234567890",
  iss: SEED_ISS,
  aud: "your-api-audience",
  token_use: "access",
  scope: "openid profile email",
  auth_time: 1735686000,
  exp: 1735689600,
  iat: 1735686000,
};

const CLIENT = "6ad2vn0b8example1234567890";

// What Cognito really issues to an app client: no aud, the client in client_id.
function clientAccessToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return freshen({
    sub: "aaaaaaaa-bbbb-cccc-dddd-example",
    "cognito:groups": ["admins", "editors"],
    iss: SEED_ISS,
    version: 2,
    client_id: CLIENT,
    origin_jti: "e1c0b3f4-example",
    event_id: "f6d8a0e2-example",
    token_use: "access",
    scope: "aws.cognito.signin.user.admin orders/read",
    auth_time: 1735686000,
    exp: 1735689600,
    iat: 1735686000,
    jti: "a1b2c3d4-example",
    username: "jane",
    ...overrides,
  });
}

// A Cognito ID token: aud is the app client, token_use "id".
function idToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return freshen({
    sub: "aaaaaaaa-bbbb-cccc-dddd-example",
    aud: CLIENT,
    "cognito:groups": ["admins"],
    email_verified: true,
    token_use: "id",
    auth_time: 1735686000,
    iss: SEED_ISS,
    "cognito:username": "jane",
    exp: 1735689600,
    iat: 1735686000,
    email: "jane@example.com",
    ...overrides,
  });
}

let key: TestKey;
beforeAll(async () => {
  key = await generateKey("RS256");
});

// Cognito signs with RS256 and sends no typ header.
const sign = (claims: Record<string, unknown>, signer: TestKey = key) => signToken(signer, claims, { typ: undefined });

describe("cognito preset: the seed's user pool", () => {
  it("builds the original issuer and its JWKS URL exactly as the seed lists them, and the updated issuer beside it", () => {
    const policies = cognito({ userPoolId: POOL, tokenUse: "access", audience: SEED_AUDIENCE });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri])).toEqual([
      [SEED_ISS, SEED_JWKS],
      [UPDATED_ISS, UPDATED_JWKS],
    ]);
    expect(policies.every((policy) => policy.audience === SEED_AUDIENCE)).toBe(true);
  });

  for (const crypto of BACKENDS) {
    it(`verifies the seed's access token with aud, fetching exactly the seed's JWKS URL (${crypto})`, async () => {
      const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
      const verifier = createVerifier({
        crypto,
        fetchJson: fetcher.fetchJson,
        issuers: [cognito({ userPoolId: POOL, tokenUse: "access", audience: SEED_AUDIENCE })],
      });
      const verified = await verifier.verify(await sign(freshen(SEED_TOKEN)));
      expect(fetcher.requests).toEqual([SEED_JWKS]);
      expect(verified.issuer.issuer).toBe(SEED_ISS);
      expect(verified.issuer.jwksUri).toBe(SEED_JWKS);
      expect(verified.scopes).toEqual(["openid", "profile", "email"]);
      expect(verified.subject).toBe("1234567890");
      expect(verified.claims.token_use).toBe("access");
    });
  }
});

describe("cognito preset: access tokens carry client_id instead of aud", () => {
  it("checks the app client in client_id when clientId is set (audienceClaim client_id)", async () => {
    const [original] = cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT });
    expect(original?.audienceClaim).toBe("client_id");
    expect(original?.audience).toEqual([CLIENT]);

    const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT })] });
    const verified = await verifier.verify(await sign(clientAccessToken()));
    expect(verified.scopes).toEqual(["aws.cognito.signin.user.admin", "orders/read"]);
    expect(verified.roles).toEqual(["admins", "editors"]);
    expect(fetcher.requests).toEqual([SEED_JWKS]);
  });

  it("refuses an access token minted for another app client (audience_mismatch on client_id)", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: [CLIENT, "second-client"] })],
    });
    const error = await rejection(verifier.verify(await sign(clientAccessToken({ client_id: "someone-elses-client" }))), "audience_mismatch");
    expect(error.hint).toContain("client_id");
    await expect(verifier.verify(await sign(clientAccessToken({ client_id: "second-client" })))).resolves.toBeDefined();
  });

  it("with audience and clientId, checks aud and also requires client_id to be one of the clients", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", audience: SEED_AUDIENCE, clientId: CLIENT })],
    });
    await expect(verifier.verify(await sign(clientAccessToken({ aud: SEED_AUDIENCE })))).resolves.toBeDefined();
    await rejection(verifier.verify(await sign(clientAccessToken({ aud: SEED_AUDIENCE, client_id: "other" }))), "claim_invalid");
    await rejection(verifier.verify(await sign(clientAccessToken({ aud: "another-api" }))), "audience_mismatch");
  });
});

describe("cognito preset: token_use says which token it is", () => {
  for (const crypto of BACKENDS) {
    it(`refuses a Cognito ID token offered to an access-token API with type_not_allowed (${crypto})`, async () => {
      const verifier = createVerifier({
        crypto,
        fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
        issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT })],
      });
      const error = await rejection(verifier.verify(await sign(idToken())), "type_not_allowed");
      expect(error.status).toBe(401);
      expect(error.hint).toContain("Send the access token");
    });
  }

  it("judges token_use only after the signature: a forged ID token is signature_invalid", async () => {
    const forger = await generateKey("RS256", key.kid);
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT })],
    });
    await rejection(verifier.verify(await sign(idToken(), forger)), "signature_invalid");
  });

  it("refuses an ID token at an API configured with the seed's audience as type_not_allowed too", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", audience: SEED_AUDIENCE })],
    });
    await rejection(verifier.verify(await sign(idToken())), "type_not_allowed");
  });

  it("accepts ID tokens for tokenUse id (aud is the app client) and refuses access tokens there", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "id", clientId: CLIENT })],
    });
    const verified = await verifier.verify(await sign(idToken()));
    expect(verified.claims.email).toBe("jane@example.com");
    expect(verified.roles).toEqual(["admins"]);
    await rejection(verifier.verify(await sign(clientAccessToken({ aud: CLIENT }))), "type_not_allowed");
  });

  it("keeps the token_use rule when a preset policy is spread to override a field", async () => {
    const policies = cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT }).map((policy) => ({ ...policy, name: "orders pool" }));
    const verifier = createVerifier({ fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson, issuers: [policies] });
    expect((await verifier.verify(await sign(clientAccessToken()))).issuer.name).toBe("orders pool");
    await rejection(verifier.verify(await sign(idToken())), "type_not_allowed");
  });

  it("refuses a token without token_use with claim_missing", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT })],
    });
    const error = await rejection(verifier.verify(await sign(clientAccessToken({ token_use: undefined }))), "claim_missing");
    expect(error.hint).toContain("token_use");
  });

  it("still runs the user's own check after the token_use check", async () => {
    const verifier = createVerifier({
      fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson,
      issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT, check: ({ claims }) => claims.username === "jane" || "only jane" })],
    });
    await expect(verifier.verify(await sign(clientAccessToken()))).resolves.toBeDefined();
    const error = await rejection(verifier.verify(await sign(clientAccessToken({ username: "mallory" }))), "claim_invalid");
    expect(error.hint).toBe("only jane");
    await rejection(verifier.verify(await sign(idToken())), "type_not_allowed");
  });
});

describe("cognito preset: the two issuer forms", () => {
  it("by default (issuerFormat both) accepts the original and the updated issuer, each with keys from its own host", async () => {
    const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key), [UPDATED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT })] });
    expect((await verifier.verify(await sign(clientAccessToken({ iss: UPDATED_ISS })))).issuer.issuer).toBe(UPDATED_ISS);
    expect((await verifier.verify(await sign(clientAccessToken()))).issuer.issuer).toBe(SEED_ISS);
    expect(fetcher.requests).toEqual([UPDATED_JWKS, SEED_JWKS]);
  });

  it("with issuerFormat original, trusts only https://cognito-idp.<region>.amazonaws.com/<pool>", async () => {
    const policies = cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT, issuerFormat: "original" });
    expect(policies.map((policy) => policy.issuer)).toEqual([SEED_ISS]);
    const fetcher = recordingFetcher({ [SEED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policies] });
    await rejection(verifier.verify(await sign(clientAccessToken({ iss: UPDATED_ISS }))), "issuer_untrusted");
    expect(fetcher.requests).toEqual([]);
  });

  it("with issuerFormat updated, trusts only https://issuer-cognito-idp.<region>.amazonaws.com/<pool>", async () => {
    const policies = cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT, issuerFormat: "updated" });
    expect(policies.map((policy) => [policy.issuer, policy.jwksUri])).toEqual([[UPDATED_ISS, UPDATED_JWKS]]);
    const fetcher = recordingFetcher({ [UPDATED_JWKS]: jwksOf(key) });
    const verifier = createVerifier({ fetchJson: fetcher.fetchJson, issuers: [policies] });
    await expect(verifier.verify(await sign(clientAccessToken({ iss: UPDATED_ISS })))).resolves.toBeDefined();
    await rejection(verifier.verify(await sign(clientAccessToken())), "issuer_untrusted");
    expect(fetcher.requests).toEqual([UPDATED_JWKS]);
  });

  it("takes the region from the pool id (eu-west-2 pools live on cognito-idp.eu-west-2)", () => {
    const [policy] = cognito({ userPoolId: "eu-west-2_Zy9XwV8u", region: "eu-west-2", tokenUse: "access", clientId: CLIENT, issuerFormat: "original" });
    expect(policy?.issuer).toBe("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Zy9XwV8u");
    expect(policy?.jwksUri).toBe("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Zy9XwV8u/.well-known/jwks.json");
  });
});

describe("cognito preset: configuration errors", () => {
  it("refuses a user pool id without its region prefix (cognito.userPoolId)", () => {
    configError(() => cognito({ userPoolId: "abcdefg", tokenUse: "access", clientId: CLIENT }), "cognito.userPoolId");
    configError(
      () => cognito({ userPoolId: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefg", tokenUse: "access", clientId: CLIENT }),
      "cognito.userPoolId",
    );
    configError(() => cognito({ userPoolId: undefined as unknown as string, tokenUse: "access", clientId: CLIENT }), "cognito.userPoolId");
  });

  it("refuses a region that does not match the pool id's prefix (cognito.region)", () => {
    const error = configError(() => cognito({ userPoolId: POOL, region: "us-west-2", tokenUse: "access", clientId: CLIENT }), "cognito.region");
    expect(error.message).toContain("us-east-1");
  });

  it("requires tokenUse access or id (cognito.tokenUse)", () => {
    configError(() => cognito({ userPoolId: POOL, clientId: CLIENT } as unknown as Parameters<typeof cognito>[0]), "cognito.tokenUse");
    configError(() => cognito({ userPoolId: POOL, clientId: CLIENT, tokenUse: "refresh" as "access" }), "cognito.tokenUse");
  });

  it("requires clientId or audience for access tokens, and clientId for ID tokens (cognito.clientId)", () => {
    configError(() => cognito({ userPoolId: POOL, tokenUse: "access" }), "cognito.clientId");
    configError(() => cognito({ userPoolId: POOL, tokenUse: "id", audience: SEED_AUDIENCE }), "cognito.clientId");
    configError(() => cognito({ userPoolId: POOL, tokenUse: "access", clientId: [] }), "cognito.clientId");
    configError(() => cognito({ userPoolId: POOL, tokenUse: "access", clientId: [""] }), "cognito.clientId");
  });

  it("refuses an unknown issuerFormat (cognito.issuerFormat)", () => {
    configError(() => cognito({ userPoolId: POOL, tokenUse: "access", clientId: CLIENT, issuerFormat: "new" as "updated" }), "cognito.issuerFormat");
  });

  it("opens the audience only when asked to, by name (dangerouslyAcceptAnyAudience)", async () => {
    const policies = cognito({ userPoolId: POOL, tokenUse: "access", dangerouslyAcceptAnyAudience: true });
    expect(policies[0]?.dangerouslyAcceptAnyAudience).toBe(true);
    const verifier = createVerifier({ fetchJson: recordingFetcher({ [SEED_JWKS]: jwksOf(key) }).fetchJson, issuers: [policies] });
    await expect(verifier.verify(await sign(clientAccessToken({ client_id: "any-client" })))).resolves.toBeDefined();
  });
});
