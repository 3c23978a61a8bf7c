// An independent peer: oauth4webapi discovers both tokenward servers (its
// strict RFC 8414 §3.3 / OpenID Connect Discovery §4.3 issuer check), signs
// alice in at the identity provider (authorization code + PKCE, RFC 9207 iss
// check, ID token claims validated), then sends both Cross App Access grants,
// the RFC 8693 token exchange at the identity provider and the jwt-bearer
// grant at the authorization server, with each client authentication method.
// Its RFC 9068 validator accepts the access token, and the API answers 200.
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOf, payloadOf } from "../../helpers/issuer.js";
import {
  ALICE,
  CLIENT_SECRET,
  callApi,
  ID_JAG_TYPE,
  ID_TOKEN_TYPE,
  JWT_BEARER,
  signInRedirect,
  startXaa,
  TOKEN_EXCHANGE,
  WIKI,
  WIKI_AT_AS,
  type Xaa,
} from "../../helpers/xaa-e2e.js";
import { pkce } from "../../helpers/xaa-idp.js";

const insecure = { [oauth.allowInsecureRequests]: true } as const;

// RFC 8693 §2.2.1 and draft §4.3.2: the ID-JAG is not an access token, so the answer's token_type is
// N_A. oauth4webapi accepts only bearer and dpop unless told of another type (RFC 6749 §7.1), the way
// its documentation shows: N_A is recognized only with issued_token_type naming an ID-JAG.
const idJagResponse: oauth.ProcessTokenResponseOptions = {
  recognizedTokenTypes: {
    n_a: (_response, body) => {
      if (body.issued_token_type !== ID_JAG_TYPE) throw new oauth.UnsupportedOperationError("N_A without an ID-JAG", { cause: { body } });
    },
  },
};

let xaa: Xaa;
beforeAll(async () => {
  xaa = await startXaa();
});
afterAll(async () => {
  await xaa?.close();
});

async function discover(issuer: string, algorithm: "oauth2" | "oidc"): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm, ...insecure }));
}

type Method = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

function clientAuth(method: Method, key: { privateKey: CryptoKey; kid: string }): oauth.ClientAuth {
  if (method === "client_secret_basic") return oauth.ClientSecretBasic(CLIENT_SECRET);
  if (method === "client_secret_post") return oauth.ClientSecretPost(CLIENT_SECRET);
  return oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid });
}

/** Alice's ID token, obtained and validated by oauth4webapi (client_secret_basic at the token endpoint). */
async function idToken(idp: oauth.AuthorizationServer): Promise<string> {
  const client: oauth.Client = { client_id: WIKI.clientId };
  const challenge = pkce();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(idp.authorization_endpoint as string);
  for (const [name, value] of Object.entries({
    client_id: WIKI.clientId,
    redirect_uri: WIKI.redirectUri,
    response_type: "code",
    scope: "openid email",
    code_challenge: challenge.challenge,
    code_challenge_method: "S256",
    state,
    nonce,
  })) {
    url.searchParams.set(name, value);
  }
  const callback = await signInRedirect(url.href);
  // RFC 9207: the metadata says the response carries iss, so oauth4webapi requires and compares it.
  const params = oauth.validateAuthResponse(idp, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(
    idp,
    client,
    oauth.ClientSecretBasic(CLIENT_SECRET),
    params,
    WIKI.redirectUri,
    challenge.verifier,
    insecure,
  );
  const result = await oauth.processAuthorizationCodeResponse(idp, client, response, { expectedNonce: nonce, requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(result);
  expect(claims).toMatchObject({ iss: xaa.idpIssuer, sub: ALICE.sub, aud: WIKI.clientId, nonce, email: ALICE.email });
  return result.id_token as string;
}

describe("oauth4webapi against tokenward's identity provider and authorization server", () => {
  it("discovers both, both ways (RFC 8414 and OpenID Connect), with its strict issuer check", async () => {
    for (const algorithm of ["oauth2", "oidc"] as const) {
      const idp = await discover(xaa.idpIssuer, algorithm);
      expect(idp.issuer).toBe(xaa.idpIssuer);
      expect(idp.identity_chaining_requested_token_types_supported).toEqual([ID_JAG_TYPE]);
      const as = await discover(xaa.asIssuer, algorithm);
      expect(as.issuer).toBe(xaa.asIssuer);
      expect(as.authorization_grant_profiles_supported).toEqual(["urn:ietf:params:oauth:grant-profile:id-jag"]);
      expect(as.grant_types_supported).toContain(JWT_BEARER);
    }
  });

  it("signs alice in with code + PKCE; a callback with another state or iss is refused by its checks", async () => {
    const idp = await discover(xaa.idpIssuer, "oidc");
    expect(payloadOf(await idToken(idp)).sub).toBe(ALICE.sub);
    // The same flow with a state the client never sent: oauth4webapi refuses the callback.
    const url = new URL(idp.authorization_endpoint as string);
    const challenge = pkce();
    for (const [name, value] of Object.entries({
      client_id: WIKI.clientId,
      redirect_uri: WIKI.redirectUri,
      response_type: "code",
      scope: "openid",
      code_challenge: challenge.challenge,
      code_challenge_method: "S256",
      state: "attacker",
    })) {
      url.searchParams.set(name, value);
    }
    const callback = await signInRedirect(url.href);
    expect(() => oauth.validateAuthResponse(idp, { client_id: WIKI.clientId }, callback, "expected-state")).toThrow(/state/);
    // A callback claiming another issuer (RFC 9207 §2.4): refused too.
    const forged = new URL(callback);
    forged.searchParams.set("iss", xaa.asIssuer);
    expect(() => oauth.validateAuthResponse(idp, { client_id: WIKI.clientId }, forged, "attacker")).toThrow(/iss/);
  });

  it.each(["client_secret_basic", "client_secret_post", "private_key_jwt"] as const)(
    "token exchange and jwt-bearer grant with %s; validateJwtAccessToken accepts the access token",
    async (method) => {
      const idp = await discover(xaa.idpIssuer, "oauth2");
      const as = await discover(xaa.asIssuer, "oauth2");
      const subjectToken = await idToken(idp);

      // RFC 8693 §2.1 at the identity provider: an ID-JAG for the authorization server.
      const wiki: oauth.Client = { client_id: WIKI.clientId };
      const exchanged = await oauth.genericTokenEndpointRequest(
        idp,
        wiki,
        clientAuth(method, xaa.idpClientKey),
        TOKEN_EXCHANGE,
        {
          requested_token_type: ID_JAG_TYPE,
          subject_token: subjectToken,
          subject_token_type: ID_TOKEN_TYPE,
          audience: xaa.asIssuer,
          resource: xaa.api,
          scope: "notes.read",
        },
        insecure,
      );
      const grant = await oauth.processGenericTokenEndpointResponse(idp, wiki, exchanged, idJagResponse);
      // Draft §4.3.2 / RFC 8693 §2.2.1: the ID-JAG is no access token, so token_type is N_A.
      expect(grant).toMatchObject({ issued_token_type: ID_JAG_TYPE, token_type: "n_a", scope: "notes.read" });
      expect(headerOf(grant.access_token).typ).toBe("oauth-id-jag+jwt");

      // RFC 7523 §2.1 at the authorization server.
      const atAs: oauth.Client = { client_id: WIKI_AT_AS };
      const redeemed = await oauth.genericTokenEndpointRequest(
        as,
        atAs,
        clientAuth(method, xaa.asClientKey),
        JWT_BEARER,
        { assertion: grant.access_token },
        insecure,
      );
      const tokens = await oauth.processGenericTokenEndpointResponse(as, atAs, redeemed);
      expect(tokens).toMatchObject({ token_type: "bearer", scope: "notes.read", resource: xaa.api });
      expect(tokens.refresh_token).toBeUndefined();

      // RFC 9068 §4: typ at+jwt, iss, exp, aud, sub, client_id, iat, jti; keys from the discovered jwks_uri.
      const request = new Request(`${xaa.api}/api/notes`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const claims = await oauth.validateJwtAccessToken(as, request, xaa.api, insecure);
      expect(claims).toMatchObject({ iss: xaa.asIssuer, sub: ALICE.sub, aud: xaa.api, client_id: WIKI_AT_AS, scope: "notes.read" });

      expect((await callApi(xaa, tokens.access_token)).status).toBe(200);
    },
  );

  it("validateJwtAccessToken refuses the ID-JAG and the ID token (their typ is not at+jwt)", async () => {
    const idp = await discover(xaa.idpIssuer, "oauth2");
    const subjectToken = await idToken(idp);
    const wiki: oauth.Client = { client_id: WIKI.clientId };
    const exchanged = await oauth.genericTokenEndpointRequest(
      idp,
      wiki,
      oauth.ClientSecretPost(CLIENT_SECRET),
      TOKEN_EXCHANGE,
      { requested_token_type: ID_JAG_TYPE, subject_token: subjectToken, subject_token_type: ID_TOKEN_TYPE, audience: xaa.asIssuer },
      insecure,
    );
    const grant = await oauth.processGenericTokenEndpointResponse(idp, wiki, exchanged, idJagResponse);
    for (const token of [grant.access_token, subjectToken]) {
      const request = new Request(`${xaa.api}/api/notes`, { headers: { authorization: `Bearer ${token}` } });
      await expect(oauth.validateJwtAccessToken(idp, request, xaa.api, insecure)).rejects.toThrow(/typ/);
    }
  });
});
