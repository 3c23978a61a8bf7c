// The identity provider role's sign-in over real HTTP: the authorization
// code flow with PKCE driven with plain fetch (GET the form, POST it, follow
// the redirect by hand, redeem the code) and with oauth4webapi's helpers;
// the ID token checked claim by claim against the published JWKS; every
// refusal of the authorization and token endpoints.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, headerOf, payloadOf, postForm, type RunningIssuer } from "../../helpers/issuer.js";
import {
  ALICE,
  authorizeUrl,
  BOB,
  CLIENT_SECRET,
  formFields,
  ID_JAG_TYPE,
  OTHER,
  pkce,
  redeemCode,
  signIn,
  startIdp,
  TOKEN_EXCHANGE,
  WIKI,
} from "../../helpers/xaa-idp.js";

let running: RunningIssuer;
beforeAll(async () => {
  running = await startIdp();
});
afterAll(async () => {
  await running.close();
});

function authorize(params: Record<string, string | undefined>): string {
  const challenge = pkce();
  return authorizeUrl(running, {
    response_type: "code",
    client_id: WIKI.clientId,
    redirect_uri: WIKI.redirectUri,
    scope: "openid",
    state: "st-1",
    code_challenge: challenge.challenge,
    code_challenge_method: "S256",
    ...params,
  });
}

async function postLogin(fields: Record<string, string>): Promise<Response> {
  return fetch(`${running.issuerId}/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

async function formOf(url: string): Promise<Record<string, string>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return formFields(await response.text());
}

describe("discovery", () => {
  it("lists the authorization endpoint, the code flow with S256, the OpenID provider members and the ID-JAG token type", async () => {
    const metadata = (await (await fetch(`${running.issuerId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: running.issuerId,
      authorization_endpoint: `${running.issuerId}/oauth/authorize`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
      authorization_response_iss_parameter_supported: true,
      identity_chaining_requested_token_types_supported: [ID_JAG_TYPE],
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(["client_credentials", "authorization_code", TOKEN_EXCHANGE]));
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
  });
});

describe("the sign-in, with plain fetch", () => {
  it("shows a self-contained form that carries the authorization request, under strict headers", async () => {
    const response = await fetch(authorize({ nonce: "n-1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(html).toContain('action="/oauth/authorize"');
    expect(formFields(html)).toMatchObject({
      client_id: WIKI.clientId,
      redirect_uri: WIKI.redirectUri,
      state: "st-1",
      nonce: "n-1",
      code_challenge_method: "S256",
    });
  });

  it("escapes what the request carries", async () => {
    const html = await (await fetch(authorize({ state: `"><script>alert(1)</script>` }))).text();
    expect(html).not.toContain("<script>");
    expect(formFields(html).state).toBe(`"><script>alert(1)</script>`);
  });

  it("signs alice in and redeems the code for a verified ID token and an access token for the IdP itself", async () => {
    const signedIn = await signIn(running, { state: "xyz", nonce: "nonce-1", scope: "openid email profile" });
    // RFC 6749 §3.1.2: the registered query is kept; RFC 9207: iss comes back.
    expect(signedIn.location.origin + signedIn.location.pathname).toBe("http://127.0.0.1:7777/callback");
    expect(signedIn.location.searchParams.get("from")).toBe("idp");
    expect(signedIn.state).toBe("xyz");
    expect(signedIn.location.searchParams.get("iss")).toBe(running.issuerId);

    const response = await redeemCode(running, signedIn.code, signedIn.pkce.verifier);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "id_token", "scope", "token_type"]);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "openid email profile" });

    const idToken = body.id_token as string;
    expect(decodeProtectedHeader(idToken)).toMatchObject({ typ: "JWT", alg: "ES256" });
    const jwks = createRemoteJWKSet(new URL(`${running.issuerId}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(idToken, jwks, { issuer: running.issuerId, audience: WIKI.clientId, typ: "JWT" });
    const now = Math.floor(Date.now() / 1000);
    expect(payload).toMatchObject({ sub: ALICE.sub, nonce: "nonce-1", email: ALICE.email, name: ALICE.name, amr: ["pwd"] });
    expect(payload.exp).toBe((payload.iat as number) + 300);
    expect(Math.abs((payload.auth_time as number) - now)).toBeLessThan(5);
    expect(typeof payload.jti).toBe("string");

    const access = body.access_token as string;
    expect(headerOf(access).typ).toBe("at+jwt");
    expect(payloadOf(access)).toMatchObject({
      iss: running.issuerId,
      aud: running.issuerId,
      sub: ALICE.sub,
      client_id: WIKI.clientId,
      scope: "openid email profile",
    });
  });

  it("leaves email and name out unless the email and profile scopes ask for them, and nonce out when none was sent", async () => {
    const signedIn = await signIn(running, { scope: "openid" });
    const body = (await (await redeemCode(running, signedIn.code, signedIn.pkce.verifier)).json()) as { id_token: string; scope: string };
    const claims = payloadOf(body.id_token);
    expect(claims).not.toHaveProperty("email");
    expect(claims).not.toHaveProperty("name");
    expect(claims).not.toHaveProperty("nonce");
    expect(body.scope).toBe("openid");
  });

  it("signs in a user whose username is an e-mail address, at a native app's private-use redirect URI", async () => {
    const signedIn = await signIn(running, { username: BOB.username, password: BOB.password, redirectUri: "com.example.wiki:/callback" });
    expect(signedIn.location.protocol).toBe("com.example.wiki:");
    const response = await redeemCode(running, signedIn.code, signedIn.pkce.verifier, { redirectUri: "com.example.wiki:/callback" });
    expect(payloadOf(((await response.json()) as { id_token: string }).id_token).sub).toBe(BOB.sub);
  });
});

describe("the sign-in, with oauth4webapi", () => {
  it("discovers the issuer, validates the authorization response and the token response with the nonce", async () => {
    const issuer = new URL(running.issuerId);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc", [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: WIKI.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: WIKI.clientId,
      redirect_uri: WIKI.redirectUri,
      response_type: "code",
      scope: "openid email",
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    const fields = await formOf(url.href);
    const posted = await postLogin({ ...fields, username: ALICE.username, password: ALICE.password });
    expect(posted.status).toBe(303);

    const params = oauth.validateAuthResponse(as, client, new URL(posted.headers.get("location") as string), state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(CLIENT_SECRET), params, WIKI.redirectUri, verifier, {
      [oauth.allowInsecureRequests]: true,
    });
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(result);
    expect(claims).toMatchObject({ iss: running.issuerId, aud: WIKI.clientId, sub: ALICE.sub, email: ALICE.email, nonce });
    expect(result.token_type).toBe("bearer");
  });
});

describe("refusals at the authorization endpoint", () => {
  it("shows the form again for a wrong password or an unknown user, and says the same thing for both", async () => {
    const fields = await formOf(authorize({}));
    const wrong = await postLogin({ ...fields, username: ALICE.username, password: "not it" });
    const unknown = await postLogin({ ...fields, username: "mallory", password: "not it" });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      const html = await response.text();
      expect(html).toContain("Wrong username or password.");
      expect(formFields(html).client_id).toBe(WIKI.clientId);
    }
    const missing = await postLogin({ ...fields, username: ALICE.username });
    expect(await missing.text()).toContain("Enter your username and password.");
  });

  it("does not redirect to an unregistered redirect_uri, or for an unknown client, a client that may not sign users in, or a repeated client_id", async () => {
    const cases = [
      authorize({ redirect_uri: "https://evil.example/cb" }),
      authorize({ redirect_uri: `${WIKI.redirectUri}&x=1` }),
      authorize({ redirect_uri: undefined }),
      authorize({ client_id: "nobody" }),
      authorize({ client_id: "svc-secret" }),
      `${authorize({})}&client_id=${OTHER.clientId}`,
    ];
    for (const url of cases) {
      const response = await fetch(url, { redirect: "manual" });
      expect(response.status, url).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await response.text()).toContain("Sign-in error");
    }
  });

  it.each([
    ["response_type=token", { response_type: "token" }, "unsupported_response_type"],
    ["no response_type", { response_type: undefined }, "invalid_request"],
    ["no PKCE", { code_challenge: undefined, code_challenge_method: undefined }, "invalid_request"],
    ["PKCE plain", { code_challenge_method: "plain" }, "invalid_request"],
    ["PKCE without a method", { code_challenge_method: undefined }, "invalid_request"],
    ["a challenge that is not S256's", { code_challenge: "short" }, "invalid_request"],
    ["no openid scope", { scope: "profile" }, "invalid_scope"],
    ["a malformed scope", { scope: 'openid "x"' }, "invalid_scope"],
    ["prompt=none", { prompt: "none" }, "login_required"],
    ["a request object", { request: "eyJ.x.y" }, "request_not_supported"],
    ["response_mode=fragment", { response_mode: "fragment" }, "invalid_request"],
  ])("sends %s back to the client as an RFC 6749 §4.1.2.1 error with the state", async (_name, params, error) => {
    const response = await fetch(authorize(params), { redirect: "manual" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") as string);
    expect(location.href.startsWith(WIKI.redirectUri)).toBe(true);
    expect(location.searchParams.get("error")).toBe(error);
    expect(location.searchParams.get("state")).toBe("st-1");
    expect(location.searchParams.get("iss")).toBe(running.issuerId);
    expect(location.searchParams.get("error_description")).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("checks a POSTed form like a GET: a forged POST with a foreign redirect_uri gets no code", async () => {
    const fields = await formOf(authorize({}));
    const forged = await postLogin({ ...fields, redirect_uri: "https://evil.example/cb", username: ALICE.username, password: ALICE.password });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
    const repeated = await fetch(`${running.issuerId}/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `${new URLSearchParams({ ...fields, username: ALICE.username, password: ALICE.password }).toString()}&state=again`,
    });
    expect(repeated.status).toBe(400);
    expect(repeated.headers.get("location")).toBeNull();
  });

  it("answers HEAD like GET without a body, and 405 with Allow for other methods", async () => {
    const head = await fetch(authorize({}), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const response = await fetch(authorize({}), { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("limits sign-in attempts per username (429 with Retry-After), whatever the password", async () => {
    const fields = await formOf(authorize({}));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push((await postLogin({ ...fields, username: "carol-does-not-exist", password: `guess-${attempt}` })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    const limited = await postLogin({ ...fields, username: "carol-does-not-exist", password: "guess" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.text()).toContain("Too many sign-in attempts");
  });
});

describe("refusals at the token endpoint", () => {
  async function errorOf(response: Response): Promise<{ status: number; error: string }> {
    const body = (await response.json()) as { error: string };
    return { status: response.status, error: body.error };
  }

  it("redeems a code once; a second redemption is refused and revokes what the first one issued", async () => {
    const signedIn = await signIn(running);
    const first = (await (await redeemCode(running, signedIn.code, signedIn.pkce.verifier)).json()) as { access_token: string; id_token: string };
    const introspect = () =>
      postForm(`${running.issuerId}/oauth/introspect`, { token: first.access_token }, { authorization: basic(WIKI.clientId, CLIENT_SECRET) }).then(
        async (response) => ((await response.json()) as { active: boolean }).active,
      );
    expect(await introspect()).toBe(true);
    expect(await errorOf(await redeemCode(running, signedIn.code, signedIn.pkce.verifier))).toEqual({ status: 400, error: "invalid_grant" });
    expect(await introspect()).toBe(false);
    // The ID token is revoked too: it no longer buys an ID-JAG.
    const exchanged = await postForm(running.tokenEndpoint, {
      grant_type: TOKEN_EXCHANGE,
      requested_token_type: ID_JAG_TYPE,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      subject_token: first.id_token,
      audience: "https://as.example.test",
      client_id: WIKI.clientId,
      client_secret: CLIENT_SECRET,
    });
    expect(await errorOf(exchanged)).toEqual({ status: 400, error: "invalid_request" });
  });

  it("refuses a wrong PKCE verifier, without using the code up", async () => {
    const signedIn = await signIn(running);
    expect(await errorOf(await redeemCode(running, signedIn.code, pkce().verifier))).toEqual({ status: 400, error: "invalid_grant" });
    expect(await errorOf(await redeemCode(running, signedIn.code, "too-short"))).toEqual({ status: 400, error: "invalid_request" });
    expect((await redeemCode(running, signedIn.code, signedIn.pkce.verifier)).status).toBe(200);
  });

  it("refuses a code redeemed by another client or with another redirect_uri, and a missing verifier", async () => {
    const signedIn = await signIn(running);
    expect(
      await errorOf(await redeemCode(running, signedIn.code, signedIn.pkce.verifier, { clientId: OTHER.clientId, redirectUri: WIKI.redirectUri })),
    ).toEqual({
      status: 400,
      error: "invalid_grant",
    });
    expect(await errorOf(await redeemCode(running, signedIn.code, signedIn.pkce.verifier, { redirectUri: "com.example.wiki:/callback" }))).toEqual({
      status: 400,
      error: "invalid_grant",
    });
    const noVerifier = await postForm(
      running.tokenEndpoint,
      { grant_type: "authorization_code", code: signedIn.code, redirect_uri: WIKI.redirectUri },
      { authorization: basic(WIKI.clientId, CLIENT_SECRET) },
    );
    expect(await errorOf(noVerifier)).toEqual({ status: 400, error: "invalid_request" });
    expect(await errorOf(await redeemCode(running, "not-a-code", signedIn.pkce.verifier))).toEqual({ status: 400, error: "invalid_grant" });
  });

  it("refuses the grant to a client that may not use it", async () => {
    const response = await postForm(
      running.tokenEndpoint,
      { grant_type: "authorization_code", code: "x", redirect_uri: WIKI.redirectUri, code_verifier: pkce().verifier },
      { authorization: basic("svc-secret", CLIENT_SECRET) },
    );
    expect(await errorOf(response)).toEqual({ status: 400, error: "unauthorized_client" });
  });
});

describe("an expired code", () => {
  it("is refused once its minute has passed", async () => {
    const clock = { now: Date.now() };
    const idp = await startIdp({ clock });
    try {
      const signedIn = await signIn(idp);
      clock.now += 61_000;
      const response = await redeemCode(idp, signedIn.code, signedIn.pkce.verifier);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    } finally {
      await idp.close();
    }
  });
});
