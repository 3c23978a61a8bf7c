// The whole Cross App Access flow over real HTTP, three servers on 127.0.0.1:
// alice signs in to wiki-app at the tokenward identity provider (code + PKCE),
// wiki-app exchanges her ID token for an ID-JAG (RFC 8693, draft §4.3),
// redeems it at the tokenward authorization server (jwt-bearer, draft §4.4),
// and the tokenward-protected notes API answers 200. Then cross-use, both
// ways: none of these tokens is accepted where another kind belongs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOf, payloadOf, postForm } from "../../helpers/issuer.js";
import {
  ALICE,
  aliceIdToken,
  aliceSignIn,
  CLIENT_SECRET,
  callApi,
  idJagFor,
  JWT_BEARER,
  redeemAtAs,
  startXaa,
  WIKI,
  WIKI_AT_AS,
  type Xaa,
} from "../../helpers/xaa-e2e.js";

let xaa: Xaa;
beforeAll(async () => {
  xaa = await startXaa();
});
afterAll(async () => {
  await xaa?.close();
});

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  resource?: string;
  refresh_token?: string;
}

async function accessToken(): Promise<string> {
  const redeemed = await redeemAtAs(xaa, await idJagFor(xaa, await aliceIdToken(xaa)));
  expect(redeemed.status).toBe(200);
  return ((await redeemed.json()) as TokenBody).access_token;
}

describe("sign-in, token exchange, jwt-bearer grant, API", () => {
  it("turns alice's sign-in into a 200 at the notes API", async () => {
    const idToken = await aliceIdToken(xaa);
    expect(headerOf(idToken).typ).toBe("JWT");
    expect(payloadOf(idToken)).toMatchObject({ iss: xaa.idpIssuer, sub: ALICE.sub, aud: WIKI.clientId, email: ALICE.email });

    const idJag = await idJagFor(xaa, idToken, { scope: "notes.read" });
    expect(headerOf(idJag).typ).toBe("oauth-id-jag+jwt");
    expect(payloadOf(idJag)).toMatchObject({
      iss: xaa.idpIssuer,
      sub: ALICE.sub,
      aud: xaa.asIssuer,
      client_id: WIKI_AT_AS,
      resource: xaa.api,
      scope: "notes.read",
    });

    const redeemed = await redeemAtAs(xaa, idJag);
    expect(redeemed.status).toBe(200);
    expect(redeemed.headers.get("cache-control")).toBe("no-store");
    const body = (await redeemed.json()) as TokenBody;
    // Draft §4.4.3: no refresh token; RFC 6749 §5.1 and draft §4.4.1: the granted scope and resource.
    expect(body).toMatchObject({ token_type: "Bearer", scope: "notes.read", resource: xaa.api });
    expect(body.refresh_token).toBeUndefined();
    expect(headerOf(body.access_token).typ).toBe("at+jwt");
    expect(payloadOf(body.access_token)).toMatchObject({ iss: xaa.asIssuer, sub: ALICE.sub, aud: xaa.api, client_id: WIKI_AT_AS, scope: "notes.read" });

    const answer = await callApi(xaa, body.access_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sub: ALICE.sub, client_id: WIKI_AT_AS, scopes: ["notes.read"] });
  });

  it("refuses the same ID-JAG a second time (single-use by default) with the generic invalid_grant", async () => {
    const idJag = await idJagFor(xaa, await aliceIdToken(xaa));
    expect((await redeemAtAs(xaa, idJag)).status).toBe(200);
    const again = await redeemAtAs(xaa, idJag);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: "invalid_grant", error_description: "the assertion is not valid" });
  });
});

describe("cross-use is refused in both directions", () => {
  it("refuses tokenward's access token offered as an ID-JAG: invalid_grant", async () => {
    const token = await accessToken();
    // At the server that issued it (draft §8.3: never a self-issued grant).
    const atAs = await redeemAtAs(xaa, token);
    expect(atAs.status).toBe(400);
    expect(((await atAs.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("refuses the identity provider's own access token and ID token offered as an ID-JAG: invalid_grant", async () => {
    // Both come from the trusted provider with valid signatures; only typ (draft §3.1) sets them apart.
    const { idToken, accessToken: idpAccessToken } = await aliceSignIn(xaa);
    expect(headerOf(idpAccessToken).typ).toBe("at+jwt");
    for (const token of [idToken, idpAccessToken]) {
      const refused = await redeemAtAs(xaa, token);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: "invalid_grant", error_description: "the assertion is not valid" });
    }
  });

  it("refuses an ID-JAG and an ID token at the tokenward-protected API: 401 type_not_allowed", async () => {
    const idToken = await aliceIdToken(xaa);
    const idJag = await idJagFor(xaa, idToken);
    for (const token of [idJag, idToken]) {
      const answer = await callApi(xaa, token);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("type_not_allowed");
      expect(answer.challenge).toMatch(/^Bearer .*error="invalid_token"/);
    }
    // The ID-JAG was never spent: the authorization server still redeems it.
    expect((await redeemAtAs(xaa, idJag)).status).toBe(200);
  });

  it("refuses the ID-JAG at the identity provider that minted it: its client has no jwt-bearer grant there", async () => {
    const idJag = await idJagFor(xaa, await aliceIdToken(xaa));
    const response = await postForm(xaa.idp.config.endpoints.token, {
      grant_type: JWT_BEARER,
      assertion: idJag,
      client_id: WIKI.clientId,
      client_secret: CLIENT_SECRET,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("unauthorized_client");
  });
});
