import { describe, expect, it } from "vitest";
import { DEFAULT_PERMISSION_CLAIMS, DEFAULT_ROLE_CLAIMS, type FactsConfig, permissionsOf, readClaim, rolesOf, scopesOf } from "../../src/authz/facts.js";
import type { JwtClaims } from "../../src/index.js";

// The authorization facts read from verified claims: scopes (RFC 6749 §3.3,
// RFC 9068 §2.2.3, RFC 8693 §4.2), roles (RFC 9068 §2.2.3.1, and where each
// provider puts them) and permissions (Auth0 RBAC).

const defaults: FactsConfig = { roleClaims: DEFAULT_ROLE_CLAIMS, permissionClaims: DEFAULT_PERMISSION_CLAIMS, resourceAccessClients: [] };
const config = (overrides: Partial<FactsConfig>): FactsConfig => ({ ...defaults, ...overrides });

describe("facts: scopesOf", () => {
  it("splits scope on spaces (RFC 6749 §3.3)", () => {
    expect(scopesOf({ scope: "openid read:data write:data" })).toEqual(["openid", "read:data", "write:data"]);
  });

  it("ignores empty entries from repeated spaces", () => {
    expect(scopesOf({ scope: " read   write " })).toEqual(["read", "write"]);
  });

  it("reads scp as an array (Okta) or as a space-separated string (Entra)", () => {
    expect(scopesOf({ scp: ["read", "write"] })).toEqual(["read", "write"]);
    expect(scopesOf({ scp: "User.Read Mail.Send" })).toEqual(["User.Read", "Mail.Send"]);
  });

  it("merges scope and scp without duplicates, in order of appearance", () => {
    expect(scopesOf({ scope: "a b", scp: ["b", "c", "a"] })).toEqual(["a", "b", "c"]);
  });

  it("ignores scope values of the wrong type and non-string members", () => {
    expect(scopesOf({ scope: 42 })).toEqual([]);
    expect(scopesOf({ scope: { read: true } })).toEqual([]);
    expect(scopesOf({ scp: ["read", 1, null, "", { a: 1 }] })).toEqual(["read"]);
    expect(scopesOf({})).toEqual([]);
  });

  it("does not treat commas or tabs as separators", () => {
    expect(scopesOf({ scope: "read,write" })).toEqual(["read,write"]);
  });
});

describe("facts: rolesOf", () => {
  it("reads roles, groups, cognito:groups and Keycloak's realm_access.roles by default", () => {
    const claims: JwtClaims = { roles: ["admin"], groups: ["staff"], "cognito:groups": ["editors"], realm_access: { roles: ["realm-user"] } };
    expect(rolesOf(claims, defaults)).toEqual(["admin", "staff", "editors", "realm-user"]);
  });

  it("removes duplicates across claims", () => {
    expect(rolesOf({ roles: ["admin", "admin"], groups: ["admin", "staff"] }, defaults)).toEqual(["admin", "staff"]);
  });

  it("takes a single string role as one role, never split on spaces", () => {
    expect(rolesOf({ roles: "admin editor" }, defaults)).toEqual(["admin editor"]);
  });

  it("reads resource_access.<client>.roles only for the configured clients (Keycloak)", () => {
    const claims: JwtClaims = { resource_access: { "my-api": { roles: ["api-admin"] }, "other-app": { roles: ["other-admin"] } } };
    expect(rolesOf(claims, defaults)).toEqual([]);
    expect(rolesOf(claims, config({ resourceAccessClients: ["my-api"] }))).toEqual(["api-admin"]);
    expect(rolesOf(claims, config({ resourceAccessClients: ["my-api", "other-app"] }))).toEqual(["api-admin", "other-admin"]);
    expect(rolesOf(claims, config({ resourceAccessClients: ["missing"] }))).toEqual([]);
  });

  it("reads a namespaced claim name with dots and slashes as one top-level name (Auth0)", () => {
    const claims: JwtClaims = { "https://yourapp.com/roles": ["owner"], roles: ["ignored"] };
    expect(rolesOf(claims, config({ roleClaims: ["https://yourapp.com/roles"] }))).toEqual(["owner"]);
  });

  it("reads nested paths given as arrays of steps", () => {
    const claims: JwtClaims = { app: { access: { roles: ["auditor"] } }, "app.access.roles": ["flat"] };
    expect(rolesOf(claims, config({ roleClaims: [["app", "access", "roles"]] }))).toEqual(["auditor"]);
    // A dotted string is a claim name, not a path.
    expect(rolesOf(claims, config({ roleClaims: ["app.access.roles"] }))).toEqual(["flat"]);
  });

  it("replaces the default claims when roleClaims is set", () => {
    expect(rolesOf({ roles: ["admin"], custom: ["x"] }, config({ roleClaims: ["custom"] }))).toEqual(["x"]);
  });

  it("ignores values of the wrong type", () => {
    expect(rolesOf({ roles: 7, groups: { admin: true }, realm_access: { roles: "realm-admin" } }, defaults)).toEqual(["realm-admin"]);
    expect(rolesOf({ roles: [1, null, "", "admin", ["nested"]] }, defaults)).toEqual(["admin"]);
  });
});

describe("facts: permissionsOf", () => {
  it("reads permissions by default (Auth0 RBAC)", () => {
    expect(permissionsOf({ permissions: ["read:reports", "write:reports"] }, defaults)).toEqual(["read:reports", "write:reports"]);
  });

  it("reads the configured permission claims, nested paths included", () => {
    const claims: JwtClaims = { permissions: ["ignored"], authz: { permissions: ["delete:all"] }, "https://yourapp.com/perms": ["export"] };
    expect(permissionsOf(claims, config({ permissionClaims: [["authz", "permissions"], "https://yourapp.com/perms"] }))).toEqual(["delete:all", "export"]);
  });
});

describe("facts: readClaim", () => {
  const claims: JwtClaims = { org: { id: "acme", teams: ["red"] }, "org.id": "flat", list: [{ id: "first" }] };

  it("reads a top-level name as is, dots included", () => {
    expect(readClaim(claims, "org.id")).toBe("flat");
  });

  it("walks nested objects along an array path", () => {
    expect(readClaim(claims, ["org", "id"])).toBe("acme");
    expect(readClaim(claims, ["org", "teams"])).toEqual(["red"]);
    expect(readClaim(claims, ["org", "missing"])).toBeUndefined();
    expect(readClaim(claims, ["org", "id", "deeper"])).toBeUndefined();
  });

  it("does not index into arrays", () => {
    expect(readClaim(claims, ["list", "0", "id"])).toBeUndefined();
    expect(readClaim(claims, ["org", "teams", "length"])).toBeUndefined();
  });

  it("never reads inherited properties such as constructor, toString or __proto__", () => {
    expect(readClaim(claims, "constructor")).toBeUndefined();
    expect(readClaim(claims, "toString")).toBeUndefined();
    expect(readClaim(claims, ["org", "constructor", "name"])).toBeUndefined();
    expect(readClaim(claims, ["__proto__"])).toBeUndefined();
    expect(readClaim(claims, ["org", "hasOwnProperty"])).toBeUndefined();
  });

  it("reads an own __proto__ member from parsed JSON as plain data", () => {
    const parsed = JSON.parse('{"__proto__":{"roles":["admin"]}}') as JwtClaims;
    expect(readClaim(parsed, "roles")).toBeUndefined();
    expect(rolesOf(parsed, defaults)).toEqual([]);
  });
});
