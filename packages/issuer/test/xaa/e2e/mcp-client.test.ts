// An independent peer: the MCP TypeScript SDK's client (@modelcontextprotocol/client,
// "Enterprise-Managed Authorization") performs the token exchange at tokenward's
// identity provider and the jwt-bearer grant at tokenward's authorization
// server, then calls the tokenward-protected API.
//
// What that client does, read from its dist/index.mjs (2.4.0), and met here
// without weakening anything:
// - assertSecureTokenEndpoint refuses plain http except for loopback hosts
//   (localhost, *.localhost, 127.0.0.1, [::1]): the servers listen on 127.0.0.1;
// - requestJwtAuthorizationGrant sends client_id + client_secret in the body
//   (client_secret_post) and always a resource;
// - exchangeJwtAuthGrant sends Basic as btoa(`${id}:${secret}`), without RFC
//   6749 Appendix B form-encoding, and only grant_type + assertion: resource
//   and scope come from the ID-JAG. The shared secret holds ':', '%' and '+';
// - discoverAuthorizationServerMetadata tries RFC 8414 first, checks issuer
//   equality, and parses with a schema that wants response_types_supported
//   (tokenward lists it, RFC 8414 §2) AND authorization_endpoint. RFC 8414 §2
//   requires the latter only "unless no grant types are supported that use
//   the authorization endpoint": the authorization server here serves only
//   the jwt-bearer grant and has none, so it lists none rather than name an
//   endpoint that does not exist. The SDK's discovery therefore fails for it
//   (a limitation of the SDK, asserted below so a fix shows up); its
//   exchangeJwtAuthGrant takes the token endpoint as given, which is how
//   these tests reach the authorization server. The identity provider has an
//   authorization endpoint and is discovered normally.
import {
  discoverAndRequestJwtAuthGrant,
  discoverAuthorizationServerMetadata,
  exchangeJwtAuthGrant,
  InsecureTokenEndpointError,
  requestJwtAuthorizationGrant,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadOf } from "../../helpers/issuer.js";
import { ALICE, aliceIdToken, CLIENT_SECRET, callApi, startXaa, WIKI, WIKI_AT_AS, type Xaa } from "../../helpers/xaa-e2e.js";

let xaa: Xaa;
beforeAll(async () => {
  xaa = await startXaa();
});
afterAll(async () => {
  await xaa?.close();
});

describe("@modelcontextprotocol/client against tokenward", () => {
  it("discovers the identity provider (issuer checked) from its RFC 8414 metadata", async () => {
    const idp = await discoverAuthorizationServerMetadata(xaa.idpIssuer);
    expect(idp?.issuer).toBe(xaa.idpIssuer);
    expect(idp?.token_endpoint).toBe(xaa.idp.config.endpoints.token);
    expect(idp?.response_types_supported).toEqual(["code"]);
  });

  it("cannot discover an authorization server without an authorization endpoint (the SDK's schema, not RFC 8414 §2)", async () => {
    const metadata = (await (await fetch(`${xaa.asIssuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.response_types_supported).toEqual([]);
    expect(metadata.authorization_endpoint).toBeUndefined();
    expect(metadata.grant_types_supported).toEqual(["urn:ietf:params:oauth:grant-type:jwt-bearer"]);
    await expect(discoverAuthorizationServerMetadata(xaa.asIssuer)).rejects.toThrow(/authorization_endpoint/);
  });

  it("requestJwtAuthorizationGrant, exchangeJwtAuthGrant (raw Basic), then the API: 200", async () => {
    const idToken = await aliceIdToken(xaa);
    const grant = await requestJwtAuthorizationGrant({
      tokenEndpoint: xaa.idp.config.endpoints.token,
      audience: xaa.asIssuer,
      resource: xaa.api,
      idToken,
      clientId: WIKI.clientId,
      clientSecret: CLIENT_SECRET,
      scope: "notes.read notes.write",
    });
    expect(grant.scope).toBe("notes.read notes.write");
    expect(payloadOf(grant.jwtAuthGrant)).toMatchObject({ aud: xaa.asIssuer, client_id: WIKI_AT_AS, resource: xaa.api });

    const tokens = await exchangeJwtAuthGrant({
      tokenEndpoint: xaa.as.config.endpoints.token,
      jwtAuthGrant: grant.jwtAuthGrant,
      clientId: WIKI_AT_AS,
      clientSecret: CLIENT_SECRET,
    });
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    // Only grant_type and assertion were sent: scope and resource are the ID-JAG's.
    expect(tokens.scope).toBe("notes.read notes.write");
    expect(payloadOf(tokens.access_token)).toMatchObject({ aud: xaa.api, sub: ALICE.sub, client_id: WIKI_AT_AS });

    const answer = await callApi(xaa, tokens.access_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sub: ALICE.sub, scopes: ["notes.read", "notes.write"] });
  });

  it("discoverAndRequestJwtAuthGrant (discovery at the IdP), then exchangeJwtAuthGrant with client_secret_post", async () => {
    const grant = await discoverAndRequestJwtAuthGrant({
      idpUrl: xaa.idpIssuer,
      audience: xaa.asIssuer,
      resource: xaa.api,
      idToken: await aliceIdToken(xaa),
      clientId: WIKI.clientId,
      clientSecret: CLIENT_SECRET,
    });
    const tokens = await exchangeJwtAuthGrant({
      tokenEndpoint: xaa.as.config.endpoints.token,
      jwtAuthGrant: grant.jwtAuthGrant,
      clientId: WIKI_AT_AS,
      clientSecret: CLIENT_SECRET,
      authMethod: "client_secret_post",
    });
    expect((await callApi(xaa, tokens.access_token)).status).toBe(200);
  });

  it("surfaces tokenward's refusals as the SDK's errors: a replayed ID-JAG, a wrong secret, a resource outside the policy", async () => {
    const grant = await requestJwtAuthorizationGrant({
      tokenEndpoint: xaa.idp.config.endpoints.token,
      audience: xaa.asIssuer,
      resource: xaa.api,
      idToken: await aliceIdToken(xaa),
      clientId: WIKI.clientId,
      clientSecret: CLIENT_SECRET,
    });
    const redeem = (clientSecret: string) =>
      exchangeJwtAuthGrant({ tokenEndpoint: xaa.as.config.endpoints.token, jwtAuthGrant: grant.jwtAuthGrant, clientId: WIKI_AT_AS, clientSecret });
    await expect(redeem("not-the-secret")).rejects.toThrow("JWT grant exchange failed: invalid_client");
    await redeem(CLIENT_SECRET);
    await expect(redeem(CLIENT_SECRET)).rejects.toThrow("JWT grant exchange failed: invalid_grant - the assertion is not valid");

    await expect(
      requestJwtAuthorizationGrant({
        tokenEndpoint: xaa.idp.config.endpoints.token,
        audience: xaa.asIssuer,
        resource: "https://elsewhere.example.test/",
        idToken: await aliceIdToken(xaa),
        clientId: WIKI.clientId,
        clientSecret: CLIENT_SECRET,
      }),
    ).rejects.toThrow("Token exchange failed: invalid_target");
  });

  it("refuses plain http to a host that is not loopback before sending anything (its own rule)", async () => {
    await expect(
      exchangeJwtAuthGrant({ tokenEndpoint: "http://as.example.test/oauth/token", jwtAuthGrant: "x", clientId: WIKI_AT_AS, clientSecret: CLIENT_SECRET }),
    ).rejects.toBeInstanceOf(InsecureTokenEndpointError);
  });
});
