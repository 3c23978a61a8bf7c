// RFC 7662 introspection and RFC 7009 revocation over real HTTP: active
// answers with `iss` and the claims for the mock's own tokens (JWT or opaque),
// `{"active": false}` for everything else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, INVALID_TOKENS, type InvalidTokenKind, type MockIssuer } from "../src/index.js";
import { postForm } from "./helpers.js";

let issuer: MockIssuer;
let clock = Math.floor(Date.now() / 1000);
const caller = { id: "test-client", secret: "test-secret" };

beforeAll(async () => {
  issuer = await createMockIssuer({ path: "/realms/demo", now: () => clock });
});
afterAll(() => issuer.close());

async function introspect(token: string): Promise<Record<string, unknown>> {
  const answer = await postForm(issuer.endpoints.introspection, { token, token_type_hint: "access_token" }, caller);
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toBe("application/json");
  expect(answer.headers.get("cache-control")).toBe("no-store");
  return answer.body;
}

describe("active answers (RFC 7662 §2.2)", () => {
  it("a minted JWT: active, iss, token_type and every claim", async () => {
    const token = await issuer.mint({ sub: "alice" }, { scopes: ["read:data"] });
    const answer = await introspect(token);
    expect(answer).toMatchObject({
      active: true,
      iss: issuer.issuer,
      token_type: "Bearer",
      sub: "alice",
      scope: "read:data",
      aud: issuer.audience,
      client_id: "test-client",
    });
    expect(typeof answer.exp).toBe("number");
    expect(typeof answer.jti).toBe("string");
  });

  it("a token from the token endpoint", async () => {
    const issued = await postForm(issuer.endpoints.token, { grant_type: "client_credentials", scope: "x y" }, caller);
    expect(await introspect(String(issued.body.access_token))).toMatchObject({ active: true, sub: "test-client", scope: "x y" });
  });

  it("an opaque token: random, no structure, and only introspection knows its claims", async () => {
    const token = issuer.mintOpaque({ sub: "svc-user", "https://your-app.example/tenant_id": "t-9" }, { scopes: ["read:data"], expiresIn: 120 });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issuer.mintOpaque()).not.toBe(token);
    const answer = await introspect(token);
    expect(answer).toMatchObject({ active: true, iss: issuer.issuer, sub: "svc-user", scope: "read:data", "https://your-app.example/tenant_id": "t-9" });
    expect(answer.exp).toBe(clock + 120);
  });

  it("an opaque token minted with another iss is answered with it, for testing an API's issuer check", async () => {
    const answer = await introspect(issuer.mintOpaque({ iss: "https://elsewhere.example" }));
    expect(answer).toMatchObject({ active: true, iss: "https://elsewhere.example" });
  });

  it("a JWT signed with a key still published after rotation", async () => {
    const before = await issuer.mint();
    await issuer.rotate();
    expect((await introspect(before)).active).toBe(true);
  });
});

describe('inactive answers: {"active": false} and nothing else', () => {
  const inactive = { active: false };

  it("an unknown token, a random string, a JWT from elsewhere", async () => {
    expect(await introspect("not-a-token")).toEqual(inactive);
    expect(await introspect("a.b.c")).toEqual(inactive);
    await using other = await createMockIssuer();
    expect(await introspect(await other.mint({ iss: issuer.issuer }))).toEqual(inactive);
  });

  it("expired tokens, JWT and opaque, once the clock passes exp", async () => {
    const jwt = await issuer.mint({}, { expiresIn: 60 });
    const opaque = issuer.mintOpaque({}, { expiresIn: 60 });
    expect((await introspect(jwt)).active).toBe(true);
    expect((await introspect(opaque)).active).toBe(true);
    clock += 61;
    try {
      expect(await introspect(jwt)).toEqual(inactive);
      expect(await introspect(opaque)).toEqual(inactive);
    } finally {
      clock -= 61;
    }
  });

  it("revoked with revoke(): a JWT (by jti) and an opaque token", async () => {
    const jwt = await issuer.mint();
    const sibling = await issuer.mint();
    const opaque = issuer.mintOpaque();
    issuer.revoke(jwt);
    issuer.revoke(opaque);
    expect(await introspect(jwt)).toEqual(inactive);
    expect(await introspect(opaque)).toEqual(inactive);
    expect((await introspect(sibling)).active).toBe(true);
  });

  it("revoked at the RFC 7009 endpoint (200 even for an unknown token)", async () => {
    const jwt = await issuer.mint();
    const revoked = await postForm(issuer.endpoints.revocation, { token: jwt, token_type_hint: "access_token" }, caller);
    expect(revoked.status).toBe(200);
    expect(await introspect(jwt)).toEqual(inactive);
    expect((await postForm(issuer.endpoints.revocation, { token: "never-issued" }, caller)).status).toBe(200);
    expect((await postForm(issuer.endpoints.revocation, { token: jwt }, { id: "test-client", secret: "wrong" })).status).toBe(401);
  });

  it("a JWT whose key was dropped at rotation", async () => {
    const old = await issuer.mint();
    await issuer.rotate({ keepPrevious: false });
    expect(await introspect(old)).toEqual(inactive);
  });

  const activeKinds: InvalidTokenKind[] = ["wrongAudience"];
  for (const kind of Object.keys(INVALID_TOKENS) as InvalidTokenKind[]) {
    if (activeKinds.includes(kind)) continue;
    it(`mintInvalid("${kind}")`, async () => {
      expect(await introspect(await issuer.mintInvalid(kind))).toEqual(inactive);
    });
  }

  it('mintInvalid("wrongAudience") is active: the audience is for the resource server to judge, and the answer says it', async () => {
    expect(await introspect(await issuer.mintInvalid("wrongAudience"))).toMatchObject({ active: true, aud: "https://another-api.example" });
  });
});

describe("the caller must authenticate (RFC 7662 §2.1)", () => {
  it("without credentials: 401 invalid_client; without token: 400 invalid_request; GET: 405", async () => {
    const token = await issuer.mint();
    const anonymous = await postForm(issuer.endpoints.introspection, { token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe("invalid_client");
    const wrong = await postForm(issuer.endpoints.introspection, { token }, { id: "test-client", secret: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic /);
    const missing = await postForm(issuer.endpoints.introspection, {}, caller);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
    expect((await fetch(issuer.endpoints.introspection)).status).toBe(405);
  });

  it("client_secret_post works as well", async () => {
    const answer = await postForm(issuer.endpoints.introspection, { token: await issuer.mint(), client_id: "test-client", client_secret: "test-secret" });
    expect(answer.body.active).toBe(true);
  });
});
