// RFC 7662 introspection and RFC 7009 revocation over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSERTION_TYPE, basic, clientAssertion, JWT_CLIENT_ID, postForm, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

let running: RunningIssuer;
let introspect: string;
let revoke: string;
beforeAll(async () => {
  running = await startIssuer();
  introspect = running.issuer.config.endpoints.introspection;
  revoke = running.issuer.config.endpoints.revocation;
});
afterAll(async () => {
  await running.close();
});

const auth = () => ({ authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) });

async function issue(): Promise<string> {
  const response = await postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, auth());
  return ((await response.json()) as { access_token: string }).access_token;
}

describe("introspection (RFC 7662)", () => {
  it("answers active with the claims and iss for a token it issued", async () => {
    const token = await issue();
    const response = await postForm(introspect, { token, token_type_hint: "access_token" }, auth());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      iss: running.issuerId,
      client_id: SECRET_CLIENT.clientId,
      sub: SECRET_CLIENT.clientId,
      scope: "read:data",
      token_type: "Bearer",
    });
    expect(typeof body.exp).toBe("number");
  });

  it("answers only {active:false} for garbage, tampered and foreign tokens", async () => {
    const token = await issue();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), scope: "admin" })).toString("base64url")}.${signature}`;
    for (const candidate of ["garbage", "a.b.c", tampered, "x".repeat(15_000)]) {
      const response = await postForm(introspect, { token: candidate }, auth());
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ active: false });
    }
  });

  it("requires an authenticated caller (RFC 7662 §2.1)", async () => {
    const token = await issue();
    const response = await postForm(introspect, { token });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_client");
    const missing = await postForm(introspect, {}, auth());
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe("invalid_request");
  });
});

describe("revocation (RFC 7009)", () => {
  it("revokes a token: introspection says inactive afterwards", async () => {
    const token = await issue();
    const response = await postForm(revoke, { token, token_type_hint: "access_token" }, auth());
    expect(response.status).toBe(200);
    const after = await postForm(introspect, { token }, auth());
    expect(await after.json()).toEqual({ active: false });
  });

  it("answers 200 for an unknown token and refuses another client's token", async () => {
    expect((await postForm(revoke, { token: "not-a-token" }, auth())).status).toBe(200);
    const token = await issue();
    const assertion = await clientAssertion(running.jwtClientKey, running.issuerId, {}, JWT_CLIENT_ID);
    const other = await postForm(revoke, { token, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: string }).error).toBe("unauthorized_client");
    // Still active: the refusal revoked nothing.
    expect(((await (await postForm(introspect, { token }, auth())).json()) as { active: boolean }).active).toBe(true);
  });

  it("treats token_type_hint as a hint: a wrong hint still finds the token (§2.1)", async () => {
    const token = await issue();
    expect((await postForm(revoke, { token, token_type_hint: "refresh_token" }, auth())).status).toBe(200);
    expect(await (await postForm(introspect, { token }, auth())).json()).toEqual({ active: false });
  });
});
