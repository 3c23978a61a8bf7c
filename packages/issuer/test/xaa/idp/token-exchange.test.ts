// Token exchange (RFC 8693) at the identity provider role, over real HTTP:
// an ID token becomes an ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant
// §4.3), decoded header and claims checked one by one, verified by
// tokenward's own verifier as an ID-JAG and refused by it as an access token;
// then every refusal, with its RFC 8693 §2.2.2 / RFC 6749 §5.2 code.
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createVerifier, TokenError } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, headerOf, payloadOf, postForm, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../../helpers/issuer.js";
import {
  ALICE,
  CHAT_API,
  CLIENT_SECRET,
  exchange,
  FILES_API,
  ID_JAG_TYPE,
  ID_TOKEN_TYPE,
  idTokenFor,
  OTHER,
  OTHER_AS,
  redeemCode,
  SIGN_IN_ONLY,
  signIn,
  startIdp,
  TARGET_AS,
  TOKEN_EXCHANGE,
  WIKI,
  WIKI_AT_TARGET,
} from "../../helpers/xaa-idp.js";

let running: RunningIssuer;
let idToken: string;
beforeAll(async () => {
  running = await startIdp();
  idToken = await idTokenFor(running, { scope: "openid" });
});
afterAll(async () => {
  await running.close();
});

async function refusal(response: Response): Promise<{ status: number; error: string; description: string }> {
  const body = (await response.json()) as { error: string; error_description: string };
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { status: response.status, error: body.error, description: body.error_description };
}

describe("an ID token exchanged for an ID-JAG", () => {
  it("answers exactly the draft's response, with Cache-Control: no-store", async () => {
    const response = await exchange(running, { subject_token: idToken, resource: CHAT_API, scope: "chat.read chat.history" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "issued_token_type", "scope", "token_type"]);
    expect(body).toMatchObject({ issued_token_type: ID_JAG_TYPE, token_type: "N_A", expires_in: 300, scope: "chat.read chat.history" });
  });

  it("mints an ID-JAG with typ oauth-id-jag+jwt and every claim of the draft's §3.1 it can fill", async () => {
    const body = (await (await exchange(running, { subject_token: idToken, resource: CHAT_API, scope: "chat.read" })).json()) as { access_token: string };
    const jag = body.access_token;
    expect(headerOf(jag)).toMatchObject({ typ: "oauth-id-jag+jwt", alg: "ES256" });
    expect(typeof headerOf(jag).kid).toBe("string");
    const claims = payloadOf(jag);
    const idClaims = payloadOf(idToken);
    expect(Object.keys(claims).sort()).toEqual(["amr", "aud", "auth_time", "client_id", "email", "exp", "iat", "iss", "jti", "resource", "scope", "sub"]);
    expect(claims).toMatchObject({
      iss: running.issuerId,
      sub: ALICE.sub,
      aud: TARGET_AS,
      // The client's id AT THE TARGET authorization server (draft §5), not at this IdP.
      client_id: WIKI_AT_TARGET,
      resource: CHAT_API,
      scope: "chat.read",
      auth_time: idClaims.auth_time,
      amr: ["pwd"],
      // Recommended by §3.1 for subject resolution, even though the ID token did not carry it (no email scope).
      email: ALICE.email,
    });
    expect(claims.exp).toBe((claims.iat as number) + 300);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const again = payloadOf(((await (await exchange(running, { subject_token: idToken })).json()) as { access_token: string }).access_token);
    expect(again.jti).not.toBe(claims.jti);
  });

  it("verifies with tokenward as an ID-JAG of this issuer, and is refused as an access token (type_not_allowed)", async () => {
    const jag = ((await (await exchange(running, { subject_token: idToken })).json()) as { access_token: string }).access_token;
    const asAnIdJag = createVerifier({ issuers: [{ issuer: running.issuerId, audience: TARGET_AS, types: ["oauth-id-jag+jwt"] }] });
    const verified = await asAnIdJag.verify(jag);
    expect(verified.claims.sub).toBe(ALICE.sub);
    const asAnAccessToken = createVerifier({ issuers: [{ issuer: running.issuerId, audience: TARGET_AS }] });
    await expect(asAnAccessToken.verify(jag)).rejects.toMatchObject({ code: "type_not_allowed" });
    // An API that takes only RFC 9068 access tokens refuses the ID token the same way.
    const apiOfThisIssuer = createVerifier({ issuers: [{ issuer: running.issuerId, audience: WIKI.clientId, types: ["at+jwt"] }] });
    const refused = await apiOfThisIssuer.verify(idToken).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TokenError);
    expect((refused as TokenError).code).toBe("type_not_allowed");
  });

  it("defaults to the policy's first resource and all its scopes when the request names none", async () => {
    const body = (await (await exchange(running, { subject_token: idToken })).json()) as { access_token: string; scope: string };
    expect(body.scope).toBe("chat.read chat.history files.read");
    expect(payloadOf(body.access_token)).toMatchObject({ resource: CHAT_API, scope: "chat.read chat.history files.read" });
  });

  it("narrows the requested scopes to the policy's and says what it granted", async () => {
    const body = (await (await exchange(running, { subject_token: idToken, resource: FILES_API, scope: "files.read admin chat.read" })).json()) as {
      access_token: string;
      scope: string;
    };
    expect(body.scope).toBe("files.read chat.read");
    expect(payloadOf(body.access_token)).toMatchObject({ resource: FILES_API, scope: "files.read chat.read" });
  });

  it("leaves resource and scope out when the policy allows none", async () => {
    const body = (await (await exchange(running, { subject_token: idToken, audience: OTHER_AS })).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("scope");
    const claims = payloadOf(body.access_token as string);
    expect(claims).toMatchObject({ aud: OTHER_AS, client_id: "wiki-at-other" });
    expect(claims).not.toHaveProperty("resource");
    expect(claims).not.toHaveProperty("scope");
  });

  it("takes every client authentication method: Basic form-encoded or raw (as MCP's SDK sends it), and the body", async () => {
    const encoded = await exchange(running, { subject_token: idToken }, { headers: { authorization: basic(WIKI.clientId, CLIENT_SECRET) } });
    expect(encoded.status).toBe(200);
    const raw = `Basic ${Buffer.from(`${WIKI.clientId}:${CLIENT_SECRET}`).toString("base64")}`;
    expect((await exchange(running, { subject_token: idToken }, { headers: { authorization: raw } })).status).toBe(200);
    expect((await exchange(running, { subject_token: idToken })).status).toBe(200);
  });
});

describe("refusals", () => {
  it("an ID token issued to another client (its aud is not the authenticated client)", async () => {
    const otherToken = await idTokenFor(running, { clientId: OTHER.clientId });
    const response = await exchange(running, { subject_token: otherToken });
    expect(await refusal(response)).toEqual({
      status: 400,
      error: "invalid_request",
      description: "the subject_token is not a valid ID token issued by this server to this client",
    });
    // The other client itself may exchange it.
    expect((await exchange(running, { subject_token: otherToken }, { clientId: OTHER.clientId })).status).toBe(200);
  });

  it("an expired ID token", async () => {
    const clock = { now: Date.now() };
    const idp = await startIdp({ clock });
    try {
      const token = await idTokenFor(idp);
      clock.now += 301_000;
      expect(await refusal(await exchange(idp, { subject_token: token }))).toMatchObject({ status: 400, error: "invalid_request" });
      clock.now -= 2_000;
      expect((await exchange(idp, { subject_token: token })).status).toBe(200);
    } finally {
      await idp.close();
    }
  });

  it("a foreign token claiming this issuer, and a tampered one", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ sub: ALICE.sub, jti: randomUUID(), auth_time: now })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: (await exportJWK(publicKey)).x ?? "k" })
      .setIssuer(running.issuerId)
      .setAudience(WIKI.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    expect(await refusal(await exchange(running, { subject_token: foreign }))).toMatchObject({ status: 400, error: "invalid_request" });

    const [header, payload, signature] = idToken.split(".") as [string, string, string];
    const changed = Buffer.from(JSON.stringify({ ...payloadOf(idToken), sub: "u-1002" })).toString("base64url");
    expect(await refusal(await exchange(running, { subject_token: `${header}.${changed}.${signature}` }))).toMatchObject({ error: "invalid_request" });
    expect(await refusal(await exchange(running, { subject_token: `${header}.${payload}.${signature.slice(0, -4)}AAAA` }))).toMatchObject({
      error: "invalid_request",
    });
    expect(await refusal(await exchange(running, { subject_token: "not-a-jwt" }))).toMatchObject({ error: "invalid_request" });
  });

  it("this server's own access tokens and ID-JAGs offered as subject_token", async () => {
    const cc = (await (
      await postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) })
    ).json()) as { access_token: string };
    const jag = ((await (await exchange(running, { subject_token: idToken })).json()) as { access_token: string }).access_token;
    const signedIn = await signIn(running);
    const userAccess = ((await (await redeemCode(running, signedIn.code, signedIn.pkce.verifier)).json()) as { access_token: string }).access_token;
    for (const token of [cc.access_token, jag, userAccess]) {
      expect(await refusal(await exchange(running, { subject_token: token }))).toMatchObject({ status: 400, error: "invalid_request" });
    }
  });

  it("an auth0-profile access token (typ JWT, like an ID token) offered as subject_token", async () => {
    const idp = await startIdp({ configure: (config) => (config.tokens = { profile: "auth0" }) });
    try {
      const code = await signIn(idp);
      const tokens = (await (await redeemCode(idp, code.code, code.pkce.verifier)).json()) as {
        access_token: string;
        id_token: string;
      };
      expect(headerOf(tokens.access_token).typ).toBe("JWT");
      expect(await refusal(await exchange(idp, { subject_token: tokens.access_token }))).toMatchObject({ error: "invalid_request" });
      expect((await exchange(idp, { subject_token: tokens.id_token })).status).toBe(200);
    } finally {
      await idp.close();
    }
  });

  it.each([
    ["a missing audience", { audience: undefined }, "invalid_request"],
    ["an audience outside the policy", { audience: "https://evil-as.example.test" }, "invalid_target"],
    ["this server as audience", { audience: "SELF" }, "invalid_target"],
    ["a resource outside the policy", { resource: "https://api.evil.example.test/" }, "invalid_target"],
    ["a resource of another audience's policy", { audience: OTHER_AS, resource: CHAT_API }, "invalid_target"],
    ["a resource that is not a URI", { resource: "not a uri" }, "invalid_target"],
    ["only scopes outside the policy", { scope: "admin write" }, "invalid_scope"],
    ["a scope on a policy with none", { audience: OTHER_AS, scope: "chat.read" }, "invalid_scope"],
    ["a malformed scope", { scope: 'chat.read "x"' }, "invalid_scope"],
    ["another requested_token_type", { requested_token_type: "urn:ietf:params:oauth:token-type:access_token" }, "invalid_request"],
    ["no requested_token_type", { requested_token_type: undefined }, "invalid_request"],
    ["another subject_token_type", { subject_token_type: "urn:ietf:params:oauth:token-type:saml2" }, "invalid_request"],
    ["no subject_token_type", { subject_token_type: undefined }, "invalid_request"],
    ["no subject_token", { subject_token: undefined }, "invalid_request"],
    ["an actor_token", { actor_token: "x", actor_token_type: ID_TOKEN_TYPE }, "invalid_request"],
    ["authorization_details", { authorization_details: '[{"type":"chat"}]' }, "invalid_request"],
  ])("%s", async (_name, params, error) => {
    const request: Record<string, string | undefined> = { subject_token: idToken, ...params };
    if (request.audience === "SELF") request.audience = running.issuerId;
    expect(await refusal(await exchange(running, request))).toMatchObject({ status: 400, error });
  });

  it("a client without the token-exchange grant (unauthorized_client), and a bad client secret (invalid_client)", async () => {
    const signInOnly = await idTokenFor(running, { clientId: SIGN_IN_ONLY.clientId });
    expect(await refusal(await exchange(running, { subject_token: signInOnly }, { clientId: SIGN_IN_ONLY.clientId }))).toMatchObject({
      status: 400,
      error: "unauthorized_client",
    });
    const response = await exchange(running, { subject_token: idToken, client_secret: "wrong" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
  });

  it("no client authentication at all", async () => {
    const response = await postForm(running.tokenEndpoint, {
      grant_type: TOKEN_EXCHANGE,
      requested_token_type: ID_JAG_TYPE,
      subject_token: idToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience: TARGET_AS,
    });
    expect(response.status).toBe(401);
  });
});

describe("with the role off", () => {
  it("lists neither grant nor the ID-JAG type, and has no authorization endpoint", async () => {
    const plain = await startIssuer();
    try {
      const metadata = (await (await fetch(`${plain.issuerId}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(metadata.grant_types_supported).toEqual(["client_credentials"]);
      expect(metadata).not.toHaveProperty("identity_chaining_requested_token_types_supported");
      expect(metadata).not.toHaveProperty("authorization_endpoint");
      expect(metadata.response_types_supported).toEqual([]);
      expect((await fetch(`${plain.issuerId}/oauth/authorize`)).status).toBe(404);
      const response = await postForm(
        plain.tokenEndpoint,
        { grant_type: TOKEN_EXCHANGE, subject_token: idToken, subject_token_type: ID_TOKEN_TYPE, requested_token_type: ID_JAG_TYPE, audience: TARGET_AS },
        { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
      );
      expect((await refusal(response)).error).toBe("unauthorized_client");
    } finally {
      await plain.close();
    }
  });
});
