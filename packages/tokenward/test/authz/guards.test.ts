import { beforeAll, describe, expect, it } from "vitest";
import {
  allOf,
  anyOf,
  authorize,
  createVerifier,
  type Guard,
  type IssuerPolicy,
  requireClaim,
  requireClaimIncludes,
  requirePermissions,
  requireRoles,
  requireScopes,
  TokenError,
  type VerifiedToken,
} from "../../src/index.js";
import { expectRefused, NOW } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Guards run on a verified token: missing scopes answer insufficient_scope
// (403, RFC 6750 §3.1) with the scopes to request; missing roles,
// permissions or claims answer access_denied (403).

let key: TestKey;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
});

/** A token verified for real, with these claims. */
async function verified(claims: Record<string, unknown>, policy: Partial<IssuerPolicy> = {}): Promise<VerifiedToken> {
  const verifier = createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...policy }] });
  return verifier.verify(await signToken(key, accessClaims(claims, NOW)));
}

/** Runs a guard as a promise, so refusals can be checked like verify's. */
const run = (guard: Guard, token: VerifiedToken) => Promise.resolve().then(() => guard(token));

describe("guards: requireScopes", () => {
  it("passes when the token has every required scope", async () => {
    const token = await verified({ scope: "read:data write:data" });
    expect(() => requireScopes("read:data")(token)).not.toThrow();
    expect(() => requireScopes(["read:data", "write:data"])(token)).not.toThrow();
  });

  it("refuses with insufficient_scope (403), the scopes to request and the ones missing", async () => {
    const token = await verified({ scope: "read:data" });
    const error = await expectRefused(run(requireScopes(["read:data", "write:data"]), token), "insufficient_scope", [
      'all of the scopes "read:data", "write:data"',
      'the token has "read:data"',
      'missing "write:data"',
    ]);
    expect(error.status).toBe(403);
    expect(error.requiredScopes).toEqual(["read:data", "write:data"]);
  });

  it("passes with one scope in any mode, and refuses when none is present", async () => {
    const token = await verified({ scope: "read:data" });
    expect(() => requireScopes(["admin", "read:data"], { mode: "any" })(token)).not.toThrow();
    const error = await expectRefused(run(requireScopes(["admin", "write:data"], { mode: "any" }), await verified({ scope: "openid" })), "insufficient_scope", [
      "one of the scopes",
      '"openid"',
    ]);
    expect(error.requiredScopes).toEqual(["admin", "write:data"]);
  });

  it("reads scopes from scp as well (Okta, Entra)", async () => {
    const token = await verified({ scope: undefined, scp: ["User.Read"] });
    expect(() => requireScopes("User.Read")(token)).not.toThrow();
  });

  it("compares scopes exactly: no prefixes, no case folding", async () => {
    const token = await verified({ scope: "read Write:Data" });
    await expectRefused(run(requireScopes("read:data"), token), "insufficient_scope");
    await expectRefused(run(requireScopes("write:data"), token), "insufficient_scope");
  });

  it("refuses a token without any scope and says it has none", async () => {
    await expectRefused(run(requireScopes("read:data"), await verified({ scope: undefined })), "insufficient_scope", ["the token has (none)"]);
  });

  it("rejects an empty requirement when the guard is built", () => {
    expect(() => requireScopes([])).toThrow(TypeError);
    expect(() => requireScopes("")).toThrow(TypeError);
    expect(() => requireScopes(["read", ""])).toThrow(TypeError);
  });
});

describe("guards: requireRoles and requirePermissions", () => {
  it("passes with the roles, from any configured role claim", async () => {
    const token = await verified({ roles: ["admin"], "cognito:groups": ["editors"], realm_access: { roles: ["realm-user"] } });
    expect(() => requireRoles(["admin", "editors", "realm-user"])(token)).not.toThrow();
  });

  it("refuses a missing role with access_denied (403) naming the missing ones, and no scopes to request", async () => {
    const token = await verified({ roles: ["viewer"] });
    const error = await expectRefused(run(requireRoles(["admin", "viewer"]), token), "access_denied", [
      'the roles "admin", "viewer"',
      'the token has "viewer"',
      'missing "admin"',
    ]);
    expect(error.status).toBe(403);
    expect(error.requiredScopes).toBeUndefined();
  });

  it("passes with one role in any mode", async () => {
    const token = await verified({ groups: ["staff"] });
    expect(() => requireRoles(["admin", "staff"], { mode: "any" })(token)).not.toThrow();
    await expectRefused(run(requireRoles(["admin", "owner"], { mode: "any" }), token), "access_denied", ["one of the roles"]);
  });

  it("sees Keycloak client roles only for configured clients, and namespaced role claims", async () => {
    const claims = { resource_access: { "my-api": { roles: ["api-admin"] } }, "https://yourapp.com/roles": ["owner"] };
    await expectRefused(run(requireRoles("api-admin"), await verified(claims)), "access_denied");
    const configured = await verified(claims, { resourceAccessClients: ["my-api"], roleClaims: ["https://yourapp.com/roles"] });
    expect(() => requireRoles(["api-admin", "owner"])(configured)).not.toThrow();
  });

  it("requires permissions (Auth0 RBAC) with access_denied", async () => {
    const token = await verified({ permissions: ["read:reports"] });
    expect(() => requirePermissions("read:reports")(token)).not.toThrow();
    await expectRefused(run(requirePermissions(["read:reports", "delete:reports"]), token), "access_denied", ["permissions", 'missing "delete:reports"']);
    expect(() => requirePermissions(["delete:reports", "read:reports"], { mode: "any" })(token)).not.toThrow();
  });

  it("does not take a permission for a role or a scope for a permission", async () => {
    const token = await verified({ permissions: ["admin"], scope: "delete:reports" });
    await expectRefused(run(requireRoles("admin"), token), "access_denied");
    await expectRefused(run(requirePermissions("delete:reports"), token), "access_denied");
  });

  it("rejects an empty requirement when the guard is built", () => {
    expect(() => requireRoles([])).toThrow(TypeError);
    expect(() => requirePermissions("")).toThrow(TypeError);
  });
});

describe("guards: requireClaim", () => {
  it("passes when the claim equals the value, and refuses otherwise with both values", async () => {
    const token = await verified({ org_id: "acme", level: 3, verified: true });
    expect(() => requireClaim("org_id", "acme")(token)).not.toThrow();
    expect(() => requireClaim("level", 3)(token)).not.toThrow();
    expect(() => requireClaim("verified", true)(token)).not.toThrow();
    await expectRefused(run(requireClaim("org_id", "globex"), token), "access_denied", ['claim "org_id" is "acme"', 'requires "globex"']);
  });

  it("compares without coercion", async () => {
    const token = await verified({ level: "3", verified: "true" });
    await expectRefused(run(requireClaim("level", 3), token), "access_denied", ['claim "level" is "3"', "requires 3"]);
    await expectRefused(run(requireClaim("verified", true), token), "access_denied");
  });

  it("refuses an absent claim", async () => {
    await expectRefused(run(requireClaim("org_id", "acme"), await verified({})), "access_denied", ['claim "org_id" is undefined']);
  });

  it("applies a predicate to the claim and the claims set", async () => {
    const token = await verified({ level: 5, sub: "user-7" });
    expect(() => requireClaim("level", (value, claims) => typeof value === "number" && value >= 3 && claims.sub === "user-7")(token)).not.toThrow();
    await expectRefused(
      run(
        requireClaim("level", (value) => value === 10),
        token,
      ),
      "access_denied",
      ['claim "level" (5) fails the route\'s predicate'],
    );
  });

  it("counts a predicate that throws as a refusal, not a crash", async () => {
    const token = await verified({});
    const guard = requireClaim("tags", (value) => (value as string[]).includes("x"));
    await expectRefused(run(guard, token), "access_denied", ["predicate"]);
  });

  it("passes a predicate only on true, not on a merely truthy value", async () => {
    const token = await verified({ org_id: "acme" });
    await expectRefused(run(requireClaim("org_id", ((value: unknown) => value) as unknown as (value: unknown) => boolean), token), "access_denied");
  });

  it("reads a namespaced claim whose name has dots and slashes", async () => {
    const token = await verified({ "https://yourapp.com/tenant_id": "acme", https: { "//yourapp": "nope" } });
    expect(() => requireClaim("https://yourapp.com/tenant_id", "acme")(token)).not.toThrow();
    await expectRefused(run(requireClaim("https://yourapp.com/tenant_id", "globex"), token), "access_denied", [
      'claim "https://yourapp.com/tenant_id" is "acme"',
    ]);
  });

  it("walks a nested path, and does not treat a dotted string as one", async () => {
    const token = await verified({ org: { id: "acme", plan: { tier: "gold" } } });
    expect(() => requireClaim(["org", "plan", "tier"], "gold")(token)).not.toThrow();
    await expectRefused(run(requireClaim(["org", "plan", "tier"], "platinum"), token), "access_denied", ['claim "org.plan.tier" is "gold"']);
    await expectRefused(run(requireClaim("org.id", "acme"), token), "access_denied", ['claim "org.id" is undefined']);
  });

  it("does not read inherited properties through a path", async () => {
    const token = await verified({ org: {} });
    await expectRefused(run(requireClaim(["org", "constructor", "name"], "Object"), token), "access_denied");
  });
});

describe("guards: requireClaimIncludes", () => {
  it("passes when an array claim includes the value", async () => {
    const token = await verified({ amr: ["pwd", "mfa"] });
    expect(() => requireClaimIncludes("amr", "mfa")(token)).not.toThrow();
    await expectRefused(run(requireClaimIncludes("amr", "hwk"), token), "access_denied", ['claim "amr" is ["pwd","mfa"]', 'include "hwk"']);
  });

  it("splits a string claim on spaces and matches whole entries only", async () => {
    const token = await verified({ entitlements: "reports administrator" });
    expect(() => requireClaimIncludes("entitlements", "reports")(token)).not.toThrow();
    await expectRefused(run(requireClaimIncludes("entitlements", "admin"), token), "access_denied");
  });

  it("refuses an absent claim or one of another type", async () => {
    await expectRefused(run(requireClaimIncludes("amr", "mfa"), await verified({})), "access_denied", ['claim "amr" is undefined']);
    await expectRefused(run(requireClaimIncludes("amr", "mfa"), await verified({ amr: { mfa: true } })), "access_denied");
  });

  it("reads a nested path", async () => {
    const token = await verified({ realm_access: { roles: ["offline_access", "uma_authorization"] } });
    expect(() => requireClaimIncludes(["realm_access", "roles"], "offline_access")(token)).not.toThrow();
    await expectRefused(run(requireClaimIncludes(["realm_access", "roles"], "admin"), token), "access_denied", ['claim "realm_access.roles"']);
  });
});

describe("guards: allOf, anyOf and authorize", () => {
  it("allOf passes when every guard passes, and reports the first failure", async () => {
    const token = await verified({ scope: "read", roles: ["viewer"] });
    expect(() => allOf(requireScopes("read"), requireRoles("viewer"))(token)).not.toThrow();
    await expectRefused(run(allOf(requireScopes("read"), requireRoles("admin"), requireScopes("write")), token), "access_denied", ['missing "admin"']);
    await expectRefused(run(allOf(requireScopes("write"), requireRoles("admin")), token), "insufficient_scope", ['missing "write"']);
  });

  it("anyOf passes when one guard passes", async () => {
    const token = await verified({ scope: "read", roles: ["admin"] });
    expect(() => anyOf(requireScopes("write"), requireRoles("admin"))(token)).not.toThrow();
  });

  it("anyOf reports insufficient_scope when every guard fails, so the client learns which scopes to request", async () => {
    const token = await verified({ scope: "read", roles: ["viewer"] });
    const error = await expectRefused(
      run(anyOf(requireRoles("admin"), requirePermissions("write:all"), requireScopes(["write", "admin"])), token),
      "insufficient_scope",
    );
    expect(error.requiredScopes).toEqual(["write", "admin"]);
  });

  it("anyOf reports the first failure when no guard is about scopes", async () => {
    const token = await verified({ roles: ["viewer"] });
    await expectRefused(run(anyOf(requireRoles("admin"), requireClaim("org_id", "acme")), token), "access_denied", ["roles", 'missing "admin"']);
  });

  it("anyOf lets an error that is not a TokenError through", async () => {
    const token = await verified({});
    const broken: Guard = () => {
      throw new RangeError("bug in a guard");
    };
    expect(() => anyOf(requireRoles("admin"), broken)(token)).toThrow(RangeError);
  });

  it("anyOf needs at least one guard", () => {
    expect(() => anyOf()).toThrow(TypeError);
  });

  it("nests: anyOf inside allOf", async () => {
    const guard = allOf(requireScopes("read"), anyOf(requireRoles("admin"), requireClaim("org_id", "acme")));
    const member = await verified({ scope: "read", org_id: "acme" });
    expect(() => guard(member)).not.toThrow();
    await expectRefused(run(guard, await verified({ scope: "read", org_id: "globex" })), "access_denied");
  });

  it("authorize returns the token when every guard passes, and throws the first failure", async () => {
    const token = await verified({ scope: "read write", permissions: ["export"] });
    expect(authorize(token)).toBe(token);
    expect(authorize(token, requireScopes("read"), requirePermissions("export"))).toBe(token);
    let caught: unknown;
    try {
      authorize(token, requireScopes("read"), requirePermissions("delete"), requireScopes("admin"));
    } catch (error) {
      caught = error;
    }
    expect(TokenError.is(caught)).toBe(true);
    expect((caught as TokenError).code).toBe("access_denied");
  });

  it("guards are reusable and leave the token as it was", async () => {
    const guard = requireScopes("read");
    const first = await verified({ scope: "read" });
    const second = await verified({ scope: "write" });
    expect(() => guard(first)).not.toThrow();
    await expectRefused(run(guard, second), "insufficient_scope");
    expect(() => guard(first)).not.toThrow();
    expect(first.scopes).toEqual(["read"]);
  });
});
