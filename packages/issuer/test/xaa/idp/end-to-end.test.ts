// The whole Cross App Access flow between two tokenward issuers over real
// HTTP: alice signs in to wiki-app at the identity provider, wiki-app
// exchanges her ID token for an ID-JAG, redeems it at a second issuer (the
// resource authorization server, which trusts the first through OpenID
// Connect discovery) with the jwt-bearer grant, and an API verifies the
// access token with tokenward. The same ID-JAG cannot be used at the
// identity provider itself, nor as an access token.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIssuer, type Issuer } from "../../../src/index.js";
import { basic, payloadOf, postForm, type RunningIssuer, secretHash } from "../../helpers/issuer.js";
import { freePort } from "../../helpers/process.js";
import { ALICE, CHAT_API, CLIENT_SECRET, exchange, idTokenFor, startIdp, WIKI } from "../../helpers/xaa-idp.js";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

let idp: RunningIssuer;
let as: Issuer;
let asIssuer: string;
let closeAs: () => Promise<void>;

beforeAll(async () => {
  const port = await freePort();
  asIssuer = `http://127.0.0.1:${port}`;
  idp = await startIdp({
    configure(config) {
      const policies = config.identityProvider?.idJag ?? [];
      policies.push({
        client: WIKI.clientId,
        audience: asIssuer,
        clientIdAtAudience: "wiki-at-as",
        resources: [CHAT_API],
        scopes: ["chat.read", "chat.history"],
      });
    },
  });
  const keyDir = await mkdtemp(join(tmpdir(), "tokenward-as-"));
  as = await createIssuer({
    issuer: asIssuer,
    keys: { directory: keyDir, algorithm: "RS256" },
    clients: [
      { clientId: "wiki-at-as", secretHash: await secretHash(), grantTypes: [JWT_BEARER], audiences: [CHAT_API], scopes: ["chat.read", "chat.history"] },
    ],
    // No jwksUri: the resource authorization server discovers the identity provider's keys.
    trustedIdentityProviders: [{ issuer: idp.issuerId }],
  });
  const server = await as.listen({ port, hostname: "127.0.0.1" });
  closeAs = async () => {
    await server.close();
    await as.close();
    await rm(keyDir, { recursive: true, force: true });
  };
});
afterAll(async () => {
  await closeAs?.();
  await idp?.close();
});

describe("Cross App Access between two tokenward issuers", () => {
  it("turns alice's sign-in into an access token for the chat API", async () => {
    const idToken = await idTokenFor(idp);
    const exchanged = await exchange(idp, { subject_token: idToken, audience: asIssuer, scope: "chat.read admin" });
    expect(exchanged.status).toBe(200);
    const { access_token: idJag, scope } = (await exchanged.json()) as { access_token: string; scope: string };
    expect(scope).toBe("chat.read");

    const redeemed = await postForm(
      as.config.endpoints.token,
      { grant_type: JWT_BEARER, assertion: idJag },
      { authorization: basic("wiki-at-as", CLIENT_SECRET) },
    );
    expect(redeemed.status).toBe(200);
    const { access_token: accessToken } = (await redeemed.json()) as { access_token: string };
    expect(payloadOf(accessToken)).toMatchObject({ iss: asIssuer, aud: CHAT_API, client_id: "wiki-at-as", scope: "chat.read" });

    const api = createVerifier({ issuers: [{ issuer: asIssuer, audience: CHAT_API }] });
    const verified = await api.verify(accessToken);
    expect(verified.claims.sub).toContain(ALICE.sub);
    expect(verified.scopes).toEqual(["chat.read"]);

    // The ID-JAG is not an access token at an API, and the identity provider that issued it does not redeem it
    // (draft §8.3; there the client has no jwt-bearer grant, and no issuer may trust itself).
    await expect(createVerifier({ issuers: [{ issuer: idp.issuerId, audience: asIssuer }] }).verify(idJag)).rejects.toMatchObject({ code: "type_not_allowed" });
    const atIdp = await postForm(idp.tokenEndpoint, { grant_type: JWT_BEARER, assertion: idJag }, { authorization: basic(WIKI.clientId, CLIENT_SECRET) });
    expect(atIdp.status).toBe(400);
    expect(((await atIdp.json()) as { error: string }).error).toBe("unauthorized_client");
  });

  it("refuses an ID-JAG minted for another authorization server", async () => {
    const idToken = await idTokenFor(idp);
    const exchanged = (await (await exchange(idp, { subject_token: idToken })).json()) as { access_token: string };
    const redeemed = await postForm(
      as.config.endpoints.token,
      { grant_type: JWT_BEARER, assertion: exchanged.access_token },
      { authorization: basic("wiki-at-as", CLIENT_SECRET) },
    );
    expect(redeemed.status).toBe(400);
    expect(((await redeemed.json()) as { error: string }).error).toBe("invalid_grant");
  });
});
