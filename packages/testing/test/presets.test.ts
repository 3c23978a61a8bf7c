// Provider-shaped tokens: the claims each provider really puts in its access
// tokens (the shapes tokenward's presets read), verified by tokenward with the
// authorization facts (scopes, roles, permissions) it reads from them.
import { createVerifier, requireClaim } from "tokenward";
import { describe, expect, it } from "vitest";
import { createMockIssuer, EXAMPLE_SUBJECTS, MockIssuerError } from "../src/index.js";
import { decode, refusedWith } from "./helpers.js";

describe("rfc9068 (the default): RFC 9068 §2.2 JWT access tokens", () => {
  it("has every required claim, typ at+jwt, and scope, roles, permissions where RFC 9068 §2.2.3 puts them", async () => {
    await using issuer = await createMockIssuer();
    const token = await issuer.mint({}, { scopes: ["read:data", "write:data"], roles: ["admin"], permissions: ["export"] });
    const { header, payload } = decode(token);
    expect(header.typ).toBe("at+jwt");
    expect(Object.keys(payload)).toEqual(expect.arrayContaining(["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]));
    expect(payload).toMatchObject({ scope: "read:data write:data", roles: ["admin"], permissions: ["export"], sub: EXAMPLE_SUBJECTS.rfc9068 });
    const verified = await createVerifier({ issuers: [issuer.policy({ requireType: true, types: ["at+jwt"] })] }).verify(token);
    expect([verified.scopes, verified.roles, verified.permissions]).toEqual([["read:data", "write:data"], ["admin"], ["export"]]);
  });
});

describe("auth0", () => {
  it("iss with its trailing slash (path /), azp, permissions, namespaced claims, typ JWT, no client_id", async () => {
    await using issuer = await createMockIssuer({ path: "/", preset: "auth0" });
    expect(issuer.issuer.endsWith("/")).toBe(true);
    const token = await issuer.mint({ "https://your-app.example/tenant_id": "tenant-123" }, { scopes: ["read:data"], permissions: ["read:reports"] });
    const { header, payload } = decode(token);
    expect(header.typ).toBe("JWT");
    expect(payload).toMatchObject({
      iss: issuer.issuer,
      sub: EXAMPLE_SUBJECTS.auth0,
      azp: issuer.client.clientId,
      scope: "read:data",
      permissions: ["read:reports"],
      "https://your-app.example/tenant_id": "tenant-123",
    });
    expect(payload).not.toHaveProperty("client_id");
    const verified = await createVerifier({ issuers: [issuer.policy()] }).verify(token);
    expect(verified.permissions).toEqual(["read:reports"]);
    requireClaim("https://your-app.example/tenant_id", "tenant-123")(verified);
  });

  it("refuses the roles option with the way Auth0 really does it", async () => {
    await using issuer = await createMockIssuer({ preset: "auth0" });
    const error = await issuer.mint({}, { roles: ["admin"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MockIssuerError);
    expect((error as MockIssuerError).code).toBe("invalid_option");
    expect((error as MockIssuerError).message).toContain("namespaced claim");
  });
});

describe("entra (v2.0)", () => {
  const tenant = "0b8f3c1e-2d4a-4b6c-8e9f-a1b2c3d4e5f6";

  it("tid from the issuer path, scp a space-separated string, roles, ver 2.0; passes a {tenantid} template policy", async () => {
    await using issuer = await createMockIssuer({ path: `/${tenant}/v2.0`, preset: "entra", audience: "api://orders" });
    const token = await issuer.mint({}, { scopes: ["access_as_user", "Orders.Read"], roles: ["Orders.Admin"] });
    const { header, payload } = decode(token);
    expect(header.typ).toBe("JWT");
    expect(payload).toMatchObject({ tid: tenant, ver: "2.0", scp: "access_as_user Orders.Read", roles: ["Orders.Admin"], azp: issuer.client.clientId });
    expect(payload.nbf).toBe(payload.iat);
    expect(payload).not.toHaveProperty("client_id");
    // The multi-tenant form tokenward's entra() preset builds, on the mock's origin.
    const verifier = createVerifier({
      issuers: [{ issuer: `${issuer.url}/{tenantid}/v2.0`, jwksUri: issuer.jwksUri, audience: "api://orders", tenants: [tenant] }],
    });
    const verified = await verifier.verify(token);
    expect(verified.tenant).toBe(tenant);
    expect(verified.scopes).toEqual(["access_as_user", "Orders.Read"]);
    expect(verified.roles).toEqual(["Orders.Admin"]);
    // Another tenant's token, same keys: refused by the tenant list.
    await refusedWith(verifier.verify(await issuer.mint({ tid: "11111111-1111-1111-1111-111111111111" })), "tenant_not_allowed");
  });
});

describe("cognito (access tokens)", () => {
  it("no aud, client_id, token_use access, cognito:groups, no typ; policy() reads the audience from client_id", async () => {
    await using issuer = await createMockIssuer({ preset: "cognito", clients: [{ clientId: "1example23456789", clientSecret: "s3cret" }] });
    const token = await issuer.mint({}, { scopes: ["orders/read"], roles: ["admins"] });
    const { header, payload } = decode(token);
    expect(header).not.toHaveProperty("typ");
    expect(payload).not.toHaveProperty("aud");
    expect(payload).toMatchObject({
      token_use: "access",
      client_id: "1example23456789",
      scope: "orders/read",
      "cognito:groups": ["admins"],
      username: "mock-user",
    });
    expect(issuer.policy()).toMatchObject({ audience: "1example23456789", audienceClaim: "client_id", kindClaims: { token_use: "access" } });
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    const verified = await verifier.verify(token);
    expect(verified.roles).toEqual(["admins"]);
    // An ID token offered as an access token is the wrong kind.
    await refusedWith(verifier.verify(await issuer.mint({ token_use: "id" })), "type_not_allowed");
    // Another app client's token.
    await refusedWith(verifier.verify(await issuer.mint({ client_id: "another-client" })), "audience_mismatch");
  });
});

describe("okta", () => {
  it("scp an array, cid, uid, groups, ver 1, no typ", async () => {
    await using issuer = await createMockIssuer({ path: "/oauth2/default", preset: "okta", audience: "api://default" });
    const token = await issuer.mint({}, { scopes: ["openid", "orders.read"], roles: ["Everyone", "Developers"] });
    const { header, payload } = decode(token);
    expect(header).not.toHaveProperty("typ");
    expect(payload).toMatchObject({
      ver: 1,
      cid: issuer.client.clientId,
      uid: "00u1234567890abcde",
      scp: ["openid", "orders.read"],
      groups: ["Everyone", "Developers"],
    });
    expect(String(payload.jti)).toMatch(/^AT\./);
    const verified = await createVerifier({ issuers: [issuer.policy()] }).verify(token);
    expect(verified.scopes).toEqual(["openid", "orders.read"]);
    expect(verified.roles).toEqual(["Everyone", "Developers"]);
  });
});

describe("keycloak", () => {
  it("realm_access.roles with the realm's default roles (realm from the path), resource_access, typ Bearer in the payload", async () => {
    await using issuer = await createMockIssuer({ path: "/realms/acme", preset: "keycloak", audience: "orders-api" });
    const token = await issuer.mint({}, { roles: ["orders-admin"] });
    const { header, payload } = decode(token);
    expect(header.typ).toBe("JWT");
    expect(payload).toMatchObject({
      typ: "Bearer",
      azp: issuer.client.clientId,
      realm_access: { roles: ["default-roles-acme", "offline_access", "uma_authorization", "orders-admin"] },
      resource_access: { account: { roles: expect.arrayContaining(["view-profile"]) } },
    });
    const verified = await createVerifier({ issuers: [issuer.policy()] }).verify(token);
    expect(verified.roles).toContain("orders-admin");
  });
});

describe("presets per mint, and the token endpoint's machine tokens", () => {
  it("a mint's preset overrides the issuer's", async () => {
    await using issuer = await createMockIssuer({ preset: "okta" });
    expect(decode(await issuer.mint({}, { preset: "auth0" })).payload.sub).toBe(EXAMPLE_SUBJECTS.auth0);
    expect(decode(await issuer.mint()).payload.sub).toBe(EXAMPLE_SUBJECTS.okta);
  });

  it("client-credentials tokens are shaped too: Auth0's sub <client>@clients and gty", async () => {
    await using issuer = await createMockIssuer({ preset: "auth0" });
    const response = await fetch(issuer.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "test-client", client_secret: "test-secret" }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    expect(decode(access_token).payload).toMatchObject({ sub: "test-client@clients", gty: "client-credentials", azp: "test-client", aud: issuer.audience });
  });

  it("Cognito machine tokens have no aud unless a resource was asked for", async () => {
    await using issuer = await createMockIssuer({ preset: "cognito" });
    const response = await fetch(issuer.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "test-client", client_secret: "test-secret" }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    const { payload } = decode(access_token);
    expect(payload).not.toHaveProperty("aud");
    expect(payload).toMatchObject({ sub: "test-client", client_id: "test-client", token_use: "access" });
    await createVerifier({ issuers: [issuer.policy()] }).verify(access_token);
  });
});
