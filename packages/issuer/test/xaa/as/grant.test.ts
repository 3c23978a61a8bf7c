// The jwt-bearer grant redeeming ID-JAGs over real HTTP: each client
// authentication method (driven by oauth4webapi), the answer, the access
// token (checked by tokenward's verifier and oauth4webapi's RFC 9068
// validator), the metadata, and the identity provider's keys found through
// jwksUri, inline jwks or discovery.
import * as oauth from "oauth4webapi";
import { createVerifier } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOf, OTHER_API, payloadOf, type RunningIssuer, startIssuer } from "../../helpers/issuer.js";
import { API, type IdpAlgorithm, JWT_BEARER, JWT_CLIENT_ID, mintIdJag, redeem, SECRET_CLIENT, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

const PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  resource?: string;
  refresh_token?: string;
}

let idp: TestIdp;
let as: RunningIssuer;

beforeAll(async () => {
  idp = await startIdp();
  as = await startAs([idp]);
});
afterAll(async () => {
  await as?.close();
  await idp?.close();
});

async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(as.issuerId);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }));
}

describe("redeeming an ID-JAG", () => {
  it.each([
    ["client_secret_basic", SECRET_CLIENT.clientId, "read:data write:data"],
    ["client_secret_post", SECRET_CLIENT.clientId, "read:data write:data"],
    // svc-jwt may have read:data only: the ID-JAG's write:data is narrowed away.
    ["private_key_jwt", JWT_CLIENT_ID, "read:data"],
  ] as const)("oauth4webapi redeems it with %s; the token verifies with tokenward and oauth4webapi", async (method, clientId, scope) => {
    const server = await discover();
    const auth =
      method === "client_secret_basic"
        ? oauth.ClientSecretBasic(SECRET_CLIENT.secret)
        : method === "client_secret_post"
          ? oauth.ClientSecretPost(SECRET_CLIENT.secret)
          : oauth.PrivateKeyJwt({ key: as.jwtClientKey.privateKey, kid: as.jwtClientKey.kid });
    const client: oauth.Client = { client_id: clientId };
    const assertion = await mintIdJag(idp, as.issuerId, {}, {}, clientId);
    const response = await oauth.genericTokenEndpointRequest(server, client, auth, JWT_BEARER, { assertion }, insecure);
    const result = await oauth.processGenericTokenEndpointResponse(server, client, response);
    expect(result.token_type).toBe("bearer");
    expect(result.scope).toBe(scope);
    expect(result.refresh_token).toBeUndefined();
    expect(result.resource).toBe(API);

    const claims = await oauth.validateJwtAccessToken(server, new Request(API, { headers: { authorization: `Bearer ${result.access_token}` } }), API, insecure);
    expect(claims.sub).toBe("U019488227");
    expect(claims.client_id).toBe(clientId);

    const verifier = createVerifier({
      issuers: [{ issuer: as.issuerId, audience: API, jwksUri: server.jwks_uri as string, requireType: true, types: ["at+jwt"] }],
    });
    const verified = await verifier.verify(result.access_token);
    expect(verified.claims.iss).toBe(as.issuerId);
    expect(verified.scopes).toEqual(scope.split(" "));
  });

  it("answers exactly: Bearer, the client's lifetime (not the ID-JAG's), scope and resource, no refresh token, no-store", async () => {
    const response = await redeem(as, await mintIdJag(idp, as.issuerId));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as TokenBody;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "resource", "scope", "token_type"]);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read:data write:data", resource: API });
    expect(headerOf(body.access_token)).toMatchObject({ typ: "at+jwt" });
    const claims = payloadOf(body.access_token);
    expect(claims).toMatchObject({ iss: as.issuerId, sub: "U019488227", aud: API, client_id: SECRET_CLIENT.clientId, scope: "read:data write:data" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(typeof claims.jti).toBe("string");
  });

  it("accepts Basic credentials sent without the RFC 6749 Appendix B form-encoding, with only grant_type and assertion (MCP's client)", async () => {
    const raw = `Basic ${Buffer.from(`${SECRET_CLIENT.clientId}:${SECRET_CLIENT.secret}`).toString("base64")}`;
    const response = await redeem(as, await mintIdJag(idp, as.issuerId), {}, { authorization: raw });
    expect(response.status).toBe(200);
  });

  it.each([["application/oauth-id-jag+jwt"], ["OAUTH-ID-JAG+JWT"], ["Application/Oauth-Id-Jag+Jwt"]])(
    "reads typ %s as the ID-JAG media type (RFC 7515 §4.1.9)",
    async (typ) => {
      expect((await redeem(as, await mintIdJag(idp, as.issuerId, {}, { typ }))).status).toBe(200);
    },
  );

  it("accepts aud as an array of exactly one: this server's issuer (draft §4.4.1)", async () => {
    expect((await redeem(as, await mintIdJag(idp, as.issuerId, { aud: [as.issuerId] }))).status).toBe(200);
  });

  it("narrows to the resource parameter when it is one of the ID-JAG's resources", async () => {
    const response = await redeem(as, await mintIdJag(idp, as.issuerId, { resource: [API, OTHER_API] }), { resource: OTHER_API });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body.resource).toBe(OTHER_API);
    expect(payloadOf(body.access_token).aud).toBe(OTHER_API);
  });

  it("without a resource claim, gives the client's first audience, as client_credentials does", async () => {
    const body = (await (await redeem(as, await mintIdJag(idp, as.issuerId, { resource: undefined }))).json()) as TokenBody;
    expect(body.resource).toBe(API);
  });

  it("narrows scope to the ID-JAG's, the client's and the request's; never widens", async () => {
    const asked = await redeem(as, await mintIdJag(idp, as.issuerId, { scope: "read:data unknown:scope" }), { scope: "read:data admin" });
    expect(((await asked.json()) as TokenBody).scope).toBe("read:data");
    const none = await redeem(as, await mintIdJag(idp, as.issuerId, { scope: undefined }));
    const body = (await none.json()) as TokenBody;
    expect(none.status).toBe(200);
    expect(body.scope).toBeUndefined();
    expect(payloadOf(body.access_token).scope).toBeUndefined();
  });
});

describe("metadata (draft §7.2)", () => {
  it("lists the jwt-bearer grant and the ID-JAG profile, and never the trusted issuers (draft §8.4)", async () => {
    const server = await discover();
    expect(server.grant_types_supported).toContain(JWT_BEARER);
    expect(server.authorization_grant_profiles_supported).toEqual([PROFILE]);
    const text = await (await fetch(`${as.issuerId}/.well-known/openid-configuration`)).text();
    expect(text).not.toContain(idp.issuer);
  });

  it("lists neither when no identity provider is trusted", async () => {
    const plain = await startIssuer();
    try {
      const metadata = (await (await fetch(`${plain.issuerId}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(metadata.grant_types_supported).toEqual(["client_credentials"]);
      expect(metadata.authorization_grant_profiles_supported).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe("the identity provider's keys", () => {
  it.each<[IdpAlgorithm]>([["RS256"], ["PS256"], ["EdDSA"]])("verifies ID-JAGs signed with %s", async (alg) => {
    const other = await startIdp({ alg });
    const server = await startAs([other]);
    try {
      expect((await redeem(server, await mintIdJag(other, server.issuerId))).status).toBe(200);
    } finally {
      await server.close();
      await other.close();
    }
  });

  it("finds them by discovery (OpenID Connect) when no jwksUri is configured, and fetches them once", async () => {
    const discovered = await startIdp({ discovery: true });
    const server = await startAs([discovered], { trust: [{ jwksUri: undefined }] });
    try {
      for (let round = 0; round < 3; round++) expect((await redeem(server, await mintIdJag(discovered, server.issuerId))).status).toBe(200);
      expect(discovered.hits.get("/.well-known/openid-configuration")).toBe(1);
      expect(discovered.hits.get("/jwks")).toBe(1);
    } finally {
      await server.close();
      await discovered.close();
    }
  });

  it("uses inline jwks without any request to the provider", async () => {
    const inline = await startIdp();
    const server = await startAs([inline], { trust: [{ jwksUri: undefined, jwks: { keys: [inline.publicJwk as Record<string, unknown>] } }] });
    try {
      expect((await redeem(server, await mintIdJag(inline, server.issuerId))).status).toBe(200);
      expect(inline.hits.size).toBe(0);
    } finally {
      await server.close();
      await inline.close();
    }
  });
});
