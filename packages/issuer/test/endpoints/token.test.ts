// The token endpoint over real HTTP: client_credentials with each client
// authentication method, and every RFC 6749 §5.2 refusal with its exact shape.
import { compactVerify, createLocalJWKSet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API,
  ASSERTION_TYPE,
  basic,
  clientAssertion,
  headerOf,
  JWT_CLIENT_ID,
  OTHER_API,
  payloadOf,
  postForm,
  type RunningIssuer,
  SECRET_CLIENT,
  startIssuer,
} from "../helpers/issuer.js";

let running: RunningIssuer;
beforeAll(async () => {
  running = await startIssuer();
});
afterAll(async () => {
  await running.close();
});

const auth = () => ({ authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) });

async function expectError(response: Response, status: number, error: string): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
  expect(typeof body.error_description).toBe("string");
  // RFC 6749 §5.2 answers are JSON and never cached.
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("pragma")).toBe("no-cache");
  return body;
}

describe("client_credentials", () => {
  it("issues an RFC 9068 access token with client_secret_basic", async () => {
    const response = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", scope: "read:data write:data" }, auth());
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read:data write:data" });
    expect(body).not.toHaveProperty("refresh_token");
    const token = body.access_token as string;
    expect(headerOf(token)).toMatchObject({ typ: "at+jwt", alg: "ES256" });
    const claims = payloadOf(token);
    expect(claims).toMatchObject({
      iss: running.issuerId,
      sub: SECRET_CLIENT.clientId,
      aud: API,
      client_id: SECRET_CLIENT.clientId,
      scope: "read:data write:data",
      "https://example.test/tenant_id": "tenant-123",
    });
    expect(typeof claims.jti).toBe("string");
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    // The signature verifies with the published JWKS.
    const jwks = await (await fetch(running.issuer.config.endpoints.jwks)).json();
    await compactVerify(token, createLocalJWKSet(jwks));
  });

  it("accepts client_secret_post and the JSON body Auth0's token endpoint takes", async () => {
    const form = await postForm(running.tokenEndpoint, {
      grant_type: "client_credentials",
      client_id: SECRET_CLIENT.clientId,
      client_secret: SECRET_CLIENT.secret,
    });
    expect(form.status).toBe(200);
    expect(payloadOf(((await form.json()) as { access_token: string }).access_token).scope).toBe("read:data");
    const json = await fetch(running.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: SECRET_CLIENT.clientId, client_secret: SECRET_CLIENT.secret, audience: OTHER_API, grant_type: "client_credentials" }),
    });
    expect(json.status).toBe(200);
    expect(payloadOf(((await json.json()) as { access_token: string }).access_token).aud).toBe(OTHER_API);
  });

  it("accepts private_key_jwt and refuses the same assertion twice", async () => {
    const assertion = await clientAssertion(running.jwtClientKey, running.issuerId);
    const params = { grant_type: "client_credentials", client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
    const first = await postForm(running.tokenEndpoint, params);
    expect(first.status).toBe(200);
    const claims = payloadOf(((await first.json()) as { access_token: string }).access_token);
    expect(claims).toMatchObject({ sub: JWT_CLIENT_ID, client_id: JWT_CLIENT_ID, aud: API, scope: "read:data" });
    // RFC 7523 §3: the jti may be used once.
    await expectError(await postForm(running.tokenEndpoint, params), 401, "invalid_client");
  });

  it("accepts an assertion whose audience is the token endpoint URL", async () => {
    const assertion = await clientAssertion(running.jwtClientKey, running.tokenEndpoint);
    const response = await postForm(running.tokenEndpoint, {
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
    expect(response.status).toBe(200);
  });

  it("selects the audience with resource (RFC 8707) or audience, exactly", async () => {
    const resource = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", resource: OTHER_API }, auth());
    expect(payloadOf(((await resource.json()) as { access_token: string }).access_token).aud).toBe(OTHER_API);
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "client_credentials", resource: `${API}/` }, auth()), 400, "invalid_target");
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "client_credentials", resource: "not a uri" }, auth()), 400, "invalid_target");
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "client_credentials", resource: `${API}#frag` }, auth()), 400, "invalid_target");
    const two = await fetch(running.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...auth() },
      body: `grant_type=client_credentials&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(OTHER_API)}`,
    });
    await expectError(two, 400, "invalid_target");
    await expectError(
      await postForm(running.tokenEndpoint, { grant_type: "client_credentials", resource: API, audience: OTHER_API }, auth()),
      400,
      "invalid_request",
    );
  });

  it("narrows requested scopes to the allowed ones and says what it granted", async () => {
    const response = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", scope: "read:data delete:everything" }, auth());
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.scope).toBe("read:data");
    expect(payloadOf(body.access_token as string).scope).toBe("read:data");
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "client_credentials", scope: "delete:everything" }, auth()), 400, "invalid_scope");
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "client_credentials", scope: 'bad"scope' }, auth()), 400, "invalid_scope");
  });
});

describe("refusals (RFC 6749 §5.2)", () => {
  it("invalid_request: grant_type missing, a parameter repeated", async () => {
    await expectError(await postForm(running.tokenEndpoint, {}, auth()), 400, "invalid_request");
    const repeated = await fetch(running.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...auth() },
      body: "grant_type=client_credentials&scope=read:data&scope=write:data",
    });
    await expectError(repeated, 400, "invalid_request");
  });

  it("unsupported_grant_type", async () => {
    await expectError(await postForm(running.tokenEndpoint, { grant_type: "password", username: "a", password: "b" }, auth()), 400, "unsupported_grant_type");
  });

  it("invalid_client: 401, with WWW-Authenticate when Basic was used", async () => {
    const wrong = await postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, { authorization: basic(SECRET_CLIENT.clientId, "wrong") });
    const body = await expectError(wrong, 401, "invalid_client");
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(JSON.stringify(body)).not.toContain("wrong");
    const unknown = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", client_id: "nobody", client_secret: "x" });
    await expectError(unknown, 401, "invalid_client");
    const none = await postForm(running.tokenEndpoint, { grant_type: "client_credentials" });
    await expectError(none, 401, "invalid_client");
  });

  it("two client authentication methods in one request are refused (RFC 6749 §2.3)", async () => {
    const both = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", client_secret: SECRET_CLIENT.secret }, auth());
    await expectError(both, 400, "invalid_request");
  });

  it("unauthorized_client: a client not allowed this grant type", async () => {
    const other = await startIssuer({
      configure: (config) => {
        const first = config.clients[0];
        if (first !== undefined) first.grantTypes = ["urn:ietf:params:oauth:grant-type:jwt-bearer"];
      },
    });
    try {
      await expectError(await postForm(other.tokenEndpoint, { grant_type: "client_credentials" }, auth()), 400, "unauthorized_client");
    } finally {
      await other.close();
    }
  });

  it("content type and body size limits", async () => {
    const text = await fetch(running.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth() },
      body: "grant_type=client_credentials",
    });
    await expectError(text, 400, "invalid_request");
    const huge = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", padding: "x".repeat(100_000) }, auth());
    expect([400, 413]).toContain(huge.status);
    expect(((await huge.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("GET on the token endpoint is 405 with Allow: POST", async () => {
    const response = await fetch(running.tokenEndpoint);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After past the client's limit", async () => {
    const limited = await startIssuer({
      configure: (config) => {
        const first = config.clients[0];
        if (first !== undefined) first.rateLimitPerMinute = 3;
      },
    });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await postForm(limited.tokenEndpoint, { grant_type: "client_credentials" }, auth());
        statuses.push(last.status);
        if (last.status !== 429) await last.body?.cancel();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await (last as Response).json()) as { error: string }).error).toBe("temporarily_unavailable");
    } finally {
      await limited.close();
    }
  });
});
