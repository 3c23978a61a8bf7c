// The client_credentials token endpoint over real HTTP: both client
// authentication methods, RFC 6749 §5.2 error answers, audience and RFC 8707
// resource, and independent clients (oauth4webapi, openid-client) using it
// after discovery, as a user's own client code would in its tests.
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { createVerifier } from "tokenward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, type MockIssuer } from "../src/index.js";
import { decode, postForm } from "./helpers.js";

let issuer: MockIssuer;
const API = "https://orders.example.test";
beforeAll(async () => {
  issuer = await createMockIssuer({
    path: "/realms/demo",
    audience: API,
    clients: [
      { clientId: "svc", clientSecret: "svc-secret", scopes: ["read:data", "write:data"], audiences: [API, "https://billing.example.test"] },
      { clientId: "basic-only", clientSecret: "b-secret", authMethod: "client_secret_basic" },
      { clientId: "odd id+%", clientSecret: "odd secret:+%&", claims: { "https://your-app.example/tenant_id": "t-1" } },
    ],
  });
});
afterAll(() => issuer.close());

describe("issuing", () => {
  it("client_secret_basic: a Bearer token with no-store, every scope of the client, that tokenward accepts", async () => {
    const { status, headers, body } = await postForm(issuer.endpoints.token, { grant_type: "client_credentials" }, { id: "svc", secret: "svc-secret" });
    expect(status).toBe(200);
    expect(headers.get("cache-control")).toBe("no-store");
    expect(headers.get("pragma")).toBe("no-cache");
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read:data write:data" });
    const verified = await createVerifier({ issuers: [issuer.policy()] }).verify(String(body.access_token));
    expect(verified.claims).toMatchObject({ sub: "svc", client_id: "svc", aud: API, iss: issuer.issuer });
    expect(verified.scopes).toEqual(["read:data", "write:data"]);
  });

  it("client_secret_post, a narrower scope, and an audience parameter (Auth0 style)", async () => {
    const { status, body } = await postForm(issuer.endpoints.token, {
      grant_type: "client_credentials",
      client_id: "svc",
      client_secret: "svc-secret",
      scope: "read:data",
      audience: "https://billing.example.test",
    });
    expect(status).toBe(200);
    expect(body.scope).toBe("read:data");
    expect(decode(String(body.access_token)).payload).toMatchObject({ aud: "https://billing.example.test", scope: "read:data" });
  });

  it("RFC 8707: repeated resource parameters give an audience array", async () => {
    const params = new URLSearchParams([
      ["grant_type", "client_credentials"],
      ["resource", API],
      ["resource", "https://billing.example.test"],
    ]);
    const { status, body } = await postForm(issuer.endpoints.token, params.toString(), { id: "svc", secret: "svc-secret" });
    expect(status).toBe(200);
    expect(decode(String(body.access_token)).payload.aud).toEqual([API, "https://billing.example.test"]);
  });

  it("Basic credentials are form-decoded first (RFC 6749 Appendix B), and raw ones work too; client claims are added", async () => {
    const encoded = { id: encodeURIComponent("odd id+%").replaceAll("%20", "+"), secret: encodeURIComponent("odd secret:+%&") };
    for (const credentials of [encoded, { id: "odd id+%", secret: "odd secret:+%&" }]) {
      const { status, body } = await postForm(issuer.endpoints.token, { grant_type: "client_credentials" }, credentials);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(decode(String(body.access_token)).payload).toMatchObject({ client_id: "odd id+%", "https://your-app.example/tenant_id": "t-1" });
    }
  });

  it("counts its requests", async () => {
    const before = issuer.requestCount("token");
    await postForm(issuer.endpoints.token, { grant_type: "client_credentials" }, { id: "svc", secret: "svc-secret" });
    await postForm(issuer.endpoints.token, { grant_type: "password" }, { id: "svc", secret: "svc-secret" });
    expect(issuer.requestCount("token")).toBe(before + 2);
  });
});

describe("RFC 6749 §5.2 errors", () => {
  const basic = { id: "svc", secret: "svc-secret" };
  const cases: [string, Record<string, string> | string, { id: string; secret: string } | undefined, number, string][] = [
    ["no client authentication", { grant_type: "client_credentials" }, undefined, 401, "invalid_client"],
    ["an unknown client", { grant_type: "client_credentials", client_id: "nobody", client_secret: "x" }, undefined, 401, "invalid_client"],
    ["a wrong secret (post)", { grant_type: "client_credentials", client_id: "svc", client_secret: "wrong" }, undefined, 401, "invalid_client"],
    ["a client_id without secret", { grant_type: "client_credentials", client_id: "svc" }, undefined, 401, "invalid_client"],
    [
      "a client restricted to Basic using post",
      { grant_type: "client_credentials", client_id: "basic-only", client_secret: "b-secret" },
      undefined,
      401,
      "invalid_client",
    ],
    ["two authentication methods", { grant_type: "client_credentials", client_secret: "svc-secret" }, basic, 400, "invalid_request"],
    ["a body client_id that differs from Basic", { grant_type: "client_credentials", client_id: "other" }, basic, 400, "invalid_request"],
    ["no grant_type", {}, basic, 400, "invalid_request"],
    ["an empty grant_type (treated as omitted, §3.2)", { grant_type: "" }, basic, 400, "invalid_request"],
    ["a repeated grant_type", "grant_type=client_credentials&grant_type=client_credentials", basic, 400, "invalid_request"],
    ["another grant", { grant_type: "authorization_code", code: "x" }, basic, 400, "unsupported_grant_type"],
    ["a scope the client may not have", { grant_type: "client_credentials", scope: "read:data admin" }, basic, 400, "invalid_scope"],
    ["a malformed scope", { grant_type: "client_credentials", scope: 'read:data "x"' }, basic, 400, "invalid_scope"],
    ["an audience the client may not have", { grant_type: "client_credentials", audience: "https://elsewhere.example" }, basic, 400, "invalid_target"],
    ["a relative resource", { grant_type: "client_credentials", resource: "/orders" }, basic, 400, "invalid_target"],
    ["audience and resource together", { grant_type: "client_credentials", audience: API, resource: API }, basic, 400, "invalid_request"],
  ];
  for (const [name, params, credentials, status, error] of cases) {
    it(`${name}: ${status} ${error}`, async () => {
      const answer = await postForm(issuer.endpoints.token, params, credentials);
      expect(answer.status).toBe(status);
      expect(answer.body.error).toBe(error);
      expect(typeof answer.body.error_description).toBe("string");
      expect(answer.headers.get("cache-control")).toBe("no-store");
      // §5.2: a failed Basic authentication is 401 with a Basic challenge.
      if (error === "invalid_client" && credentials !== undefined) expect(answer.headers.get("www-authenticate")).toMatch(/^Basic /);
      expect(JSON.stringify(answer.body)).not.toContain("svc-secret");
    });
  }

  it("a wrong Basic secret is 401 with a Basic challenge, and the secret is not echoed", async () => {
    const answer = await postForm(issuer.endpoints.token, { grant_type: "client_credentials" }, { id: "svc", secret: "not-the-secret" });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("invalid_client");
    expect(answer.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(JSON.stringify(answer.body)).not.toContain("not-the-secret");
  });

  it("a JSON body is invalid_request (RFC 6749 §3.2: form-encoded); GET is 405", async () => {
    const json = await fetch(issuer.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "svc", client_secret: "svc-secret" }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    const get = await fetch(issuer.endpoints.token);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("a body over 64 KiB is invalid_request, answered after the body is drained", async () => {
    const answer = await postForm(issuer.endpoints.token, `grant_type=client_credentials&pad=${"x".repeat(70 * 1024)}`, { id: "svc", secret: "svc-secret" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_request");
  });
});

describe("independent clients, after discovery", () => {
  it("oauth4webapi discovers the issuer both ways and obtains tokens with Basic and post", async () => {
    const id = new URL(issuer.issuer);
    for (const algorithm of ["oidc", "oauth2"] as const) {
      const as = await oauth.processDiscoveryResponse(id, await oauth.discoveryRequest(id, { algorithm, [oauth.allowInsecureRequests]: true }));
      expect(as.token_endpoint).toBe(issuer.endpoints.token);
      for (const auth of [oauth.ClientSecretBasic("svc-secret"), oauth.ClientSecretPost("svc-secret")]) {
        const c: oauth.Client = { client_id: "svc" };
        const response = await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: "read:data", resource: API }, { [oauth.allowInsecureRequests]: true });
        const result = await oauth.processClientCredentialsResponse(as, c, response);
        // oauth4webapi's RFC 9068 validator: typ at+jwt, the required claims, keys from jwks_uri.
        const claims = await oauth.validateJwtAccessToken(as, new Request(API, { headers: { authorization: `Bearer ${result.access_token}` } }), API, {
          [oauth.allowInsecureRequests]: true,
        });
        expect(claims.scope).toBe("read:data");
      }
    }
  });

  it("oauth4webapi surfaces the RFC 6749 §5.2 answer to a wrong secret", async () => {
    const id = new URL(issuer.issuer);
    const as = await oauth.processDiscoveryResponse(id, await oauth.discoveryRequest(id, { [oauth.allowInsecureRequests]: true }));
    const c: oauth.Client = { client_id: "svc" };
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic("wrong"), {}, { [oauth.allowInsecureRequests]: true });
    const error = await oauth.processClientCredentialsResponse(as, c, response).catch((e: unknown) => e);
    // The 401 carries a Basic challenge (§5.2), which oauth4webapi reports first; the body is the §5.2 error.
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = error as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe("basic");
    expect(((await challenge.response.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("openid-client discovers it and runs client_credentials", async () => {
    const config = await client.discovery(new URL(issuer.issuer), "svc", undefined, client.ClientSecretPost("svc-secret"), {
      execute: [client.allowInsecureRequests],
    });
    const token = await client.clientCredentialsGrant(config, { scope: "write:data" });
    expect(token.scope).toBe("write:data");
    expect((await createVerifier({ issuers: [issuer.policy()] }).verify(token.access_token)).scopes).toEqual(["write:data"]);
  });
});
