// An independent peer as an outside identity provider: oauth2-mock-server
// (9.x) on 127.0.0.1 with its own RSA key, published through its own OpenID
// Connect discovery and JWKS. Its beforeTokenSigning hook shapes the tokens
// its token endpoint signs into ID-JAGs (draft §3.1: typ oauth-id-jag+jwt;
// iss, sub, aud, client_id, jti, exp, iat; resource, scope). tokenward's
// authorization server, trusting it by issuer alone (keys by discovery),
// redeems them, and refuses them tampered, mistyped, or when not trusted.
import { randomUUID } from "node:crypto";
import { type MutableToken, OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerOf, payloadOf, postForm } from "../../helpers/issuer.js";
import { freePort } from "../../helpers/process.js";
import { callApi, redeemAtAs, startXaa, WIKI_AT_AS, type Xaa } from "../../helpers/xaa-e2e.js";

const INVALID_GRANT = { error: "invalid_grant", error_description: "the assertion is not valid" };

let mock: OAuth2Server;
let mockIssuer: string;
let xaa: Xaa;
/** What the next ID-JAG from the mock carries, on top of the defaults below (undefined removes a claim). */
let shape: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {};

beforeAll(async () => {
  mock = new OAuth2Server();
  await mock.issuer.keys.generate("RS256");
  // The issuer identifier names 127.0.0.1 (the mock would say localhost), so tokenward trusts an exact string.
  const port = await freePort();
  mockIssuer = `http://127.0.0.1:${port}`;
  mock.issuer.url = mockIssuer;
  await mock.start(port, "127.0.0.1");
  // Two trusted providers: start-up insists on distinct subject prefixes (draft §2.2).
  xaa = await startXaa({ idpSubject: { prefix: "corp|" }, trust: [{ issuer: mockIssuer, subject: { prefix: "mock|" } }] });
  mock.service.on("beforeTokenSigning", (token: MutableToken) => {
    const iat = token.payload.iat;
    Object.assign(token.header, { typ: "oauth-id-jag+jwt" }, shape.header);
    Object.assign(
      token.payload,
      { sub: "U-42", aud: xaa.asIssuer, client_id: WIKI_AT_AS, jti: randomUUID(), exp: iat + 300, resource: xaa.api, scope: "notes.read" },
      shape.claims,
    );
    for (const [name, value] of Object.entries(shape.claims ?? {})) if (value === undefined) delete token.payload[name];
  });
});
afterAll(async () => {
  await xaa?.close();
  await mock?.stop();
});

/** An ID-JAG signed by the mock's token endpoint (its client_credentials grant, reshaped by the hook). */
async function mockIdJag(next: typeof shape = {}): Promise<string> {
  shape = next;
  const response = await postForm(`${mockIssuer}/token`, { grant_type: "client_credentials", client_id: "enterprise-idp-client", scope: "ignored" });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Replaces one character of the signature or the payload, keeping the JWT well-formed. */
function tamper(jwt: string, part: 1 | 2): string {
  const parts = jwt.split(".");
  const segment = parts[part] as string;
  const index = Math.floor(segment.length / 2);
  parts[part] = `${segment.slice(0, index)}${segment[index] === "A" ? "B" : "A"}${segment.slice(index + 1)}`;
  return parts.join(".");
}

describe("oauth2-mock-server as an outside identity provider", () => {
  it("mints ID-JAGs as the draft describes them", async () => {
    const idJag = await mockIdJag();
    expect(headerOf(idJag)).toMatchObject({ typ: "oauth-id-jag+jwt", alg: "RS256" });
    expect(payloadOf(idJag)).toMatchObject({ iss: mockIssuer, sub: "U-42", aud: xaa.asIssuer, client_id: WIKI_AT_AS, resource: xaa.api });
  });

  it("tokenward's authorization server redeems them (keys by discovery), and the API answers 200", async () => {
    const redeemed = await redeemAtAs(xaa, await mockIdJag());
    expect(redeemed.status).toBe(200);
    const { access_token: token, scope } = (await redeemed.json()) as { access_token: string; scope: string };
    expect(scope).toBe("notes.read");
    // The configured prefix keeps this provider's users apart from the tokenward identity provider's.
    expect(payloadOf(token)).toMatchObject({ iss: xaa.asIssuer, sub: "mock|U-42", aud: xaa.api, client_id: WIKI_AT_AS });
    const answer = await callApi(xaa, token);
    expect(answer.status).toBe(200);
    expect(answer.body.sub).toBe("mock|U-42");
  });

  it("refuses them tampered: a changed signature or a changed payload", async () => {
    for (const part of [2, 1] as const) {
      const refused = await redeemAtAs(xaa, tamper(await mockIdJag(), part));
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual(INVALID_GRANT);
    }
    // A widened scope in a re-encoded payload, signature kept: refused, and the original still redeems.
    const genuine = await mockIdJag();
    const [header, , signature] = genuine.split(".") as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...payloadOf(genuine), scope: "notes.read notes.write" })).toString("base64url");
    expect(await (await redeemAtAs(xaa, `${header}.${widened}.${signature}`)).json()).toEqual(INVALID_GRANT);
    expect((await redeemAtAs(xaa, genuine)).status).toBe(200);
  });

  it("refuses the mock's ordinary JWTs (typ JWT) and ID-JAGs with a wrong audience, client_id or lifetime", async () => {
    const cases: (typeof shape)[] = [
      { header: { typ: "JWT" } },
      { claims: { aud: "https://some-other-as.example.test" } },
      { claims: { client_id: "another-client" } },
      { claims: { jti: undefined } },
      { claims: { exp: Math.floor(Date.now() / 1000) + 3600 } },
    ];
    for (const next of cases) {
      const refused = await redeemAtAs(xaa, await mockIdJag(next));
      expect(refused.status, JSON.stringify(next)).toBe(400);
      expect(await refused.json()).toEqual(INVALID_GRANT);
    }
  });

  it("refuses them at an authorization server that does not trust the mock", async () => {
    const untrusting = await startXaa();
    try {
      shape = {};
      const idJag = await mockIdJag({ claims: { aud: untrusting.asIssuer, resource: untrusting.api } });
      const refused = await redeemAtAs(untrusting, idJag);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual(INVALID_GRANT);
    } finally {
      await untrusting.close();
    }
  });
});
