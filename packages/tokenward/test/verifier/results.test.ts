import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy } from "../../src/index.js";
import { BACKENDS, expectRefused, NOW, signRaw } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// What a successful verify returns: frozen, secret-free, with scopes
// (RFC 8693 §4.2, RFC 9068 §2.2.3), roles and permissions read for the API.

let key: TestKey;

beforeAll(async () => {
  key = await generateKey("EdDSA", "ed");
});

const verifier = (policy: Partial<IssuerPolicy> = {}) =>
  createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), ...policy } as IssuerPolicy] });
const sign = (claims: Record<string, unknown>) => signRaw(key.privateKey, { alg: "EdDSA", kid: key.kid }, accessClaims(claims, NOW));

for (const crypto of BACKENDS) {
  describe(`results (${crypto})`, () => {
    it("returns a frozen result whose claims, header and lists cannot be changed", async () => {
      const strict = createVerifier({ crypto, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
      const verified = await strict.verify(await signToken(key, accessClaims({ roles: ["admin"], permissions: ["read"] }, NOW)));
      for (const part of [
        verified,
        verified.claims,
        verified.header,
        verified.issuer,
        verified.scopes,
        verified.roles,
        verified.permissions,
        verified.issuer.audiences,
      ]) {
        expect(Object.isFrozen(part)).toBe(true);
      }
      expect(() => {
        (verified.claims as Record<string, unknown>).sub = "admin";
      }).toThrow(TypeError);
      expect(() => {
        (verified.roles as string[]).push("root");
      }).toThrow(TypeError);
      expect(() => {
        (verified.header as Record<string, unknown>).alg = "none";
      }).toThrow(TypeError);
      expect(verified.claims.sub).toBe("user-1");
    });
  });
}

describe("results: fields", () => {
  it("reports subject, expiresAt, the matching issuer and no tenant for an exact issuer", async () => {
    const verified = await verifier({ name: "Main" }).verify(sign({}));
    expect(verified.subject).toBe("user-1");
    expect(verified.expiresAt).toBe(NOW + 300);
    expect(verified.issuer).toEqual({ issuer: ISSUER, name: "Main", audiences: [AUDIENCE], jwksUri: undefined });
    expect(verified.tenant).toBeUndefined();
  });

  it("never exposes an HMAC secret in the result, the issuer list or the verifier", async () => {
    const secret = "correct horse battery staple, thirty-two bytes and more";
    const hmac = createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret }] });
    const token = await new SignJWT(accessClaims({}, NOW)).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
    const verified = await hmac.verify(token);
    const encoded = Buffer.from(secret).toString("base64url");
    for (const view of [JSON.stringify(verified), inspect(verified, { depth: 10 }), JSON.stringify(hmac.issuers), inspect(hmac, { depth: 10 })]) {
      expect(view).not.toContain("battery staple");
      expect(view).not.toContain(encoded);
    }
    expect(Object.keys(verified.issuer).sort()).toEqual(["audiences", "issuer", "jwksUri", "name"]);
  });

  it("never puts an HMAC secret in a refusal's hint", async () => {
    const secret = randomBytes(32);
    const hmac = createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret }] });
    const forged = await new SignJWT(accessClaims({}, NOW)).setProtectedHeader({ alg: "HS256" }).sign(randomBytes(32));
    const error = await expectRefused(hmac.verify(forged), "signature_invalid", [], forged);
    expect(error.hint).not.toContain(secret.toString("base64url"));
    expect(error.hint).not.toContain(secret.toString("hex"));
  });
});

describe("results: scopes", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["a space-separated scope string", { scope: "read:data write:data" }, ["read:data", "write:data"]],
    ["repeated and surrounding spaces in scope", { scope: "  read  write " }, ["read", "write"]],
    ["an scp array (Okta)", { scope: undefined, scp: ["read", "write"] }, ["read", "write"]],
    ["an scp string (Entra)", { scope: undefined, scp: "User.Read Mail.Send" }, ["User.Read", "Mail.Send"]],
    ["both scope and scp, without duplicates", { scope: "a b", scp: ["b", "c"] }, ["a", "b", "c"]],
    ["no scope at all", { scope: undefined }, []],
    ["an empty scope", { scope: "" }, []],
    ["a scope of the wrong type", { scope: 42 }, []],
    ["non-string members of scp", { scope: undefined, scp: ["read", 7, null, ""] }, ["read"]],
  ];
  for (const [name, claims, scopes] of cases) {
    it(`reads ${name}`, async () => {
      expect((await verifier().verify(sign(claims))).scopes).toEqual(scopes);
    });
  }

  it("does not split scope on commas: only spaces separate scopes (RFC 6749 §3.3)", async () => {
    expect((await verifier().verify(sign({ scope: "read,write" }))).scopes).toEqual(["read,write"]);
  });
});

describe("results: roles and permissions", () => {
  it("reads roles from the default claims and permissions from permissions", async () => {
    const verified = await verifier().verify(
      sign({
        roles: ["admin"],
        groups: ["staff"],
        "cognito:groups": ["editors"],
        realm_access: { roles: ["realm-user"] },
        permissions: ["read:reports", "write:reports"],
      }),
    );
    expect(verified.roles).toEqual(["admin", "staff", "editors", "realm-user"]);
    expect(verified.permissions).toEqual(["read:reports", "write:reports"]);
  });

  it("reads Keycloak client roles only for the configured clients", async () => {
    const claims = { resource_access: { "my-api": { roles: ["api-admin"] }, "other-app": { roles: ["other-admin"] } } };
    expect((await verifier().verify(sign(claims))).roles).toEqual([]);
    expect((await verifier({ resourceAccessClients: ["my-api"] }).verify(sign(claims))).roles).toEqual(["api-admin"]);
  });

  it("reads a namespaced claim and nested paths given in roleClaims and permissionClaims", async () => {
    const custom = verifier({ roleClaims: ["https://yourapp.com/roles", ["app", "access", "roles"]], permissionClaims: [["authz", "permissions"]] });
    const verified = await custom.verify(
      sign({ "https://yourapp.com/roles": ["owner"], app: { access: { roles: ["auditor"] } }, roles: ["ignored"], authz: { permissions: ["delete:all"] } }),
    );
    expect(verified.roles).toEqual(["owner", "auditor"]);
    expect(verified.permissions).toEqual(["delete:all"]);
  });
});
