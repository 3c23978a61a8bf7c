// Introspection and revocation vouch only for access tokens. With the
// identity provider role the same keys also sign ID tokens and ID-JAGs; an
// introspection answer {active: true, token_type: "Bearer"} for one of those
// would let a resource server that relies on introspection take an ID token
// or an ID-JAG for an access token (RFC 8725 §3.11, RFC 9068 §4).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, postForm, type RunningIssuer } from "../helpers/issuer.js";
import { CLIENT_SECRET, exchange, idTokenFor, redeemCode, signIn, startIdp, WIKI } from "../helpers/xaa-idp.js";

let running: RunningIssuer;
beforeAll(async () => {
  running = await startIdp();
});
afterAll(async () => {
  await running.close();
});

const auth = () => ({ authorization: basic(WIKI.clientId, CLIENT_SECRET) });

async function introspect(token: string): Promise<Record<string, unknown>> {
  const response = await postForm(running.issuer.config.endpoints.introspection, { token }, auth());
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("token types at introspection and revocation", () => {
  it("answers active for the access token of a sign-in, inactive for its ID token", async () => {
    const signedIn = await signIn(running);
    const redeemed = (await (await redeemCode(running, signedIn.code, signedIn.pkce.verifier)).json()) as { access_token: string; id_token: string };
    expect(await introspect(redeemed.access_token)).toMatchObject({ active: true, token_type: "Bearer" });
    expect(await introspect(redeemed.id_token)).toEqual({ active: false });
  });

  it("answers inactive for an ID-JAG of this server", async () => {
    const idToken = await idTokenFor(running);
    const response = await exchange(running, { subject_token: idToken });
    expect(response.status).toBe(200);
    const { access_token: idJag } = (await response.json()) as { access_token: string };
    expect(await introspect(idJag)).toEqual({ active: false });
  });

  it("does not treat an ID token as a revocable access token", async () => {
    const idToken = await idTokenFor(running);
    const response = await postForm(running.issuer.config.endpoints.revocation, { token: idToken }, auth());
    // RFC 7009 §2.2: a token the server does not revoke is answered 200, not an error.
    expect(response.status).toBe(200);
    // Still a valid subject token: revocation did not touch it.
    expect((await exchange(running, { subject_token: idToken })).status).toBe(200);
  });
});
