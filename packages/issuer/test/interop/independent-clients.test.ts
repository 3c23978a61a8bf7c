// Interoperability with independent code: oauth4webapi and openid-client
// discover the issuer (their strict issuer check included) and obtain tokens
// with each client authentication method; jose, oauth4webapi's RFC 9068
// validator and tokenward's own verifier accept the tokens.
import { createRemoteJWKSet, importJWK, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { createVerifier, oidc } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, JWT_CLIENT_ID, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

describe.each([
  ["at the root", ""],
  ["with a path", "/realms/acme"],
])("an issuer %s", (_name, path) => {
  let running: RunningIssuer;
  beforeAll(async () => {
    running = await startIssuer({ path });
  });
  afterAll(async () => {
    await running.close();
  });

  async function discover(algorithm: "oauth2" | "oidc"): Promise<oauth.AuthorizationServer> {
    const issuer = new URL(running.issuerId);
    const response = await oauth.discoveryRequest(issuer, { algorithm, [oauth.allowInsecureRequests]: true });
    return oauth.processDiscoveryResponse(issuer, response);
  }

  async function privateKey(): Promise<oauth.PrivateKey> {
    // oauth4webapi signs with WebCrypto; the helper's key is already a CryptoKey.
    return { key: running.jwtClientKey.privateKey, kid: running.jwtClientKey.kid };
  }

  it("oauth4webapi discovers it both ways (RFC 8414 path insertion and OIDC)", async () => {
    for (const algorithm of ["oauth2", "oidc"] as const) {
      const as = await discover(algorithm);
      expect(as.issuer).toBe(running.issuerId);
      expect(as.token_endpoint).toBe(`${running.issuerId}/oauth/token`);
    }
  });

  it.each([
    ["client_secret_basic", () => oauth.ClientSecretBasic(SECRET_CLIENT.secret), SECRET_CLIENT.clientId],
    ["client_secret_post", () => oauth.ClientSecretPost(SECRET_CLIENT.secret), SECRET_CLIENT.clientId],
    ["private_key_jwt", "jwt", JWT_CLIENT_ID],
  ] as const)("oauth4webapi obtains a token with %s, and every independent validator accepts it", async (_method, makeAuth, clientId) => {
    const as = await discover("oauth2");
    const authMethod = makeAuth === "jwt" ? oauth.PrivateKeyJwt(await privateKey()) : makeAuth();
    const c: oauth.Client = { client_id: clientId };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      c,
      authMethod,
      { resource: API, scope: "read:data" },
      {
        [oauth.allowInsecureRequests]: true,
      },
    );
    const result = await oauth.processClientCredentialsResponse(as, c, response);
    expect(result.token_type).toBe("bearer");
    const token = result.access_token;

    // oauth4webapi's RFC 9068 validator (typ at+jwt, required claims, JWKS from metadata).
    const claims = await oauth.validateJwtAccessToken(as, new Request(API, { headers: { authorization: `Bearer ${token}` } }), API, {
      [oauth.allowInsecureRequests]: true,
    });
    expect(claims.client_id).toBe(clientId);

    // Plain jose against the published JWKS.
    const verified = await jwtVerify(token, createRemoteJWKSet(new URL(as.jwks_uri as string)), {
      issuer: running.issuerId,
      audience: API,
      typ: "at+jwt",
    });
    expect(verified.payload.sub).toBe(clientId);

    // tokenward's verifier through discovery with the oidc() preset.
    const verifier = createVerifier({ issuers: [oidc(running.issuerId, { audience: API })] });
    const ours = await verifier.verify(token);
    expect(ours.scopes).toEqual(["read:data"]);
  });

  it("openid-client discovers it and runs client_credentials with Basic and private_key_jwt", async () => {
    const basicConfig = await client.discovery(new URL(running.issuerId), SECRET_CLIENT.clientId, undefined, client.ClientSecretBasic(SECRET_CLIENT.secret), {
      execute: [client.allowInsecureRequests],
      algorithm: "oauth2",
    });
    const basicToken = await client.clientCredentialsGrant(basicConfig, { resource: API });
    expect(basicToken.access_token.split(".")).toHaveLength(3);

    const jwtConfig = await client.discovery(new URL(running.issuerId), JWT_CLIENT_ID, undefined, client.PrivateKeyJwt(await privateKey()), {
      execute: [client.allowInsecureRequests],
    });
    const jwtToken = await client.clientCredentialsGrant(jwtConfig, { scope: "read:data" });
    expect(jwtToken.scope).toBe("read:data");
  });
});

it("jose imports the published keys as verification keys only", async () => {
  const running = await startIssuer();
  try {
    const jwks = (await (await fetch(running.issuer.config.endpoints.jwks)).json()) as { keys: Record<string, unknown>[] };
    for (const jwk of jwks.keys) {
      const key = (await importJWK(jwk as Parameters<typeof importJWK>[0], jwk.alg as string)) as CryptoKey;
      expect(key.type).toBe("public");
    }
  } finally {
    await running.close();
  }
});
