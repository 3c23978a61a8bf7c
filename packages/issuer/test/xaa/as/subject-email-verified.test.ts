// Review regression: an email matches an account rule only when the ID-JAG
// does not say it is unverified, in whatever JSON type the IdP says it
// (OpenID Connect Core §5.1: email_verified is a boolean; a string "false"
// or any other non-true value must not count as verified).
import { afterAll, beforeAll, expect, it } from "vitest";
import { payloadOf, type RunningIssuer } from "../../helpers/issuer.js";
import { mintIdJag, redeem, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

let idp: TestIdp;
let as: RunningIssuer;
beforeAll(async () => {
  idp = await startIdp();
  as = await startAs([idp], { trust: [{ subject: { prefix: "idp|", accounts: [{ match: { email: "ada@example.com" }, subject: "user-ada" }] } }] });
});
afterAll(async () => {
  await as?.close();
  await idp?.close();
});

async function subjectOf(claims: Record<string, unknown>): Promise<unknown> {
  const response = await redeem(as, await mintIdJag(idp, as.issuerId, claims));
  expect(response.status).toBe(200);
  return payloadOf(((await response.json()) as { access_token: string }).access_token).sub;
}

it.each([["false"], [0], [null], ["no"]])("does not map an email whose email_verified is %j", async (flag) => {
  expect(await subjectOf({ sub: "U-mallory", email: "ada@example.com", email_verified: flag })).toBe("idp|U-mallory");
});

it("maps a verified email, or one the IdP says nothing about (draft §3.1 email)", async () => {
  expect(await subjectOf({ sub: "U-ada", email: "ada@example.com", email_verified: true })).toBe("user-ada");
  expect(await subjectOf({ sub: "U-ada", email: "ada@example.com" })).toBe("user-ada");
});
