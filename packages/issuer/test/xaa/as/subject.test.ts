// Subject resolution (draft §2.2): which sub the access token carries for
// an ID-JAG's user: passed through, prefixed per provider, or mapped to a
// local account by iss (the provider), sub, email and tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadOf, type RunningIssuer } from "../../helpers/issuer.js";
import { ASSERTION_NOT_VALID, mintIdJag, type OAuthErrorBody, redeem, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

let okta: TestIdp;
let entra: TestIdp;
let as: RunningIssuer;
const details: string[] = [];

beforeAll(async () => {
  [okta, entra] = await Promise.all([startIdp(), startIdp({ alg: "RS256" })]);
  as = await startAs([okta, entra], {
    trust: [
      {
        subject: {
          prefix: "okta|",
          accounts: [
            { match: { email: "ada@example.com" }, subject: "user-ada" },
            { match: { sub: "U-shared", tenant: "acme" }, subject: "user-acme" },
            // Never reached for ada: the first matching rule wins.
            { match: { sub: "U019488227" }, subject: "user-by-sub" },
          ],
        },
      },
      { subject: { accounts: [{ match: { sub: "E-1" }, subject: "user-entra" }], unmatched: "refuse" } },
    ],
    configure: (config) => {
      config.onEvent = (event) => {
        if (event.type === "request_refused") details.push(event.detail ?? "");
      };
    },
  });
});
afterAll(async () => {
  await as?.close();
  await Promise.all([okta?.close(), entra?.close()]);
});

async function subjectOf(idp: TestIdp, claims: Record<string, unknown>): Promise<unknown> {
  const response = await redeem(as, await mintIdJag(idp, as.issuerId, claims));
  expect(response.status).toBe(200);
  return payloadOf(((await response.json()) as { access_token: string }).access_token).sub;
}

describe("subject resolution", () => {
  it("maps a user by email to a local account", async () => {
    expect(await subjectOf(okta, { sub: "U019488227", email: "ada@example.com" })).toBe("user-ada");
  });

  it("does not match an email the provider says it has not verified", async () => {
    expect(await subjectOf(okta, { sub: "U019488227", email: "ada@example.com", email_verified: false })).toBe("user-by-sub");
  });

  it("matches on every field of a rule: sub and tenant", async () => {
    expect(await subjectOf(okta, { sub: "U-shared", tenant: "acme", email: undefined })).toBe("user-acme");
    expect(await subjectOf(okta, { sub: "U-shared", tenant: "globex", email: undefined })).toBe("okta|U-shared");
  });

  it("passes an unmatched user through behind the provider's prefix", async () => {
    expect(await subjectOf(okta, { sub: "U-unknown", email: "someone@example.com" })).toBe("okta|U-unknown");
  });

  it("compares exactly: a differently cased email is another address", async () => {
    expect(await subjectOf(okta, { sub: "U-case", email: "Ada@example.com" })).toBe("okta|U-case");
  });

  it('maps a known user of a provider whose unmatched is "refuse"', async () => {
    expect(await subjectOf(entra, { sub: "E-1" })).toBe("user-entra");
  });

  it('refuses an unknown user of a provider whose unmatched is "refuse", as any other invalid assertion', async () => {
    const response = await redeem(as, await mintIdJag(entra, as.issuerId, { sub: "E-2" }));
    expect(response.status).toBe(400);
    expect((await response.json()) as OAuthErrorBody).toEqual({ error: "invalid_grant", error_description: ASSERTION_NOT_VALID });
    expect(details.at(-1)).toMatch(/no account .* matches this user.*"refuse"/);
  });
});
