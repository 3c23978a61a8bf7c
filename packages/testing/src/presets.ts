import { randomBytes, randomUUID } from "node:crypto";
import { invalidOption } from "./errors.js";

/**
 * Token shapes: which claims a provider puts in its access tokens, and where
 * it puts scopes, roles and permissions. `rfc9068` is the standard JWT access
 * token profile (RFC 9068 §2.2), the default.
 */
export const TOKEN_PRESETS = ["rfc9068", "auth0", "entra", "cognito", "okta", "keycloak"] as const;
export type TokenPreset = (typeof TOKEN_PRESETS)[number];

export interface ShapeInput {
  readonly issuer: string;
  /** The issuer's path: the Keycloak realm or the Entra tenant are read from it when it has their form. */
  readonly path: string;
  readonly audience: string | readonly string[] | undefined;
  readonly clientId: string;
  readonly iat: number;
  readonly exp: number;
  /** A client-credentials token (no user): `sub` is the client. */
  readonly machine: boolean;
  readonly scopes: readonly string[] | undefined;
  readonly roles: readonly string[] | undefined;
  readonly permissions: readonly string[] | undefined;
}

export interface Shape {
  /** The `typ` header the provider sends; undefined: none. */
  readonly typ: string | undefined;
  readonly claims: Record<string, unknown>;
}

// Stable example identities, so tests can assert on `sub` without reading it back first.
export const EXAMPLE_SUBJECTS: Readonly<Record<TokenPreset, string>> = Object.freeze({
  rfc9068: "mock-user",
  auth0: "auth0|1234567890",
  entra: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
  cognito: "5f2b8c1e-7d4a-4e9b-8a61-3c0d9e2f1a47",
  okta: "mock.user@example.com",
  keycloak: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
});

const DEFAULT_TENANT = "12345678-1234-1234-1234-123456789012";
const ENTRA_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/;
const KEYCLOAK_PATH = /\/realms\/([^/]+)\/?$/;

function nowhere(preset: TokenPreset, what: "roles" | "permissions", hint: string): never {
  throw invalidOption(`mint.${what}`, `${preset} tokens have no standard ${what} claim; ${hint}`);
}

/** The claims (before your own) and the `typ` of a token shaped like `preset`'s. */
export function shapeToken(preset: TokenPreset, input: ShapeInput): Shape {
  const { issuer, audience, clientId, iat, exp, machine, scopes, roles, permissions } = input;
  const scope = scopes === undefined ? {} : { scope: scopes.join(" ") };
  switch (preset) {
    case "rfc9068":
      // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are required; §2.2.3: scope, roles, permissions (SCIM entitlements).
      return {
        typ: "at+jwt",
        claims: {
          iss: issuer,
          sub: machine ? clientId : EXAMPLE_SUBJECTS.rfc9068,
          aud: audience,
          iat,
          exp,
          jti: randomUUID(),
          client_id: clientId,
          ...scope,
          ...(roles === undefined ? {} : { roles: [...roles] }),
          ...(permissions === undefined ? {} : { permissions: [...permissions] }),
        },
      };
    case "auth0":
      // Auth0's access token profile: `azp` for the client, RBAC permissions in `permissions`
      // (always present when "Add Permissions in the Access Token" is on), `gty` for machine tokens.
      if (roles !== undefined) {
        nowhere("auth0", "roles", 'Auth0 adds roles through an Action in a namespaced claim: mint({ "https://your-app.example/roles": ["admin"] })');
      }
      return {
        typ: "JWT",
        claims: {
          iss: issuer,
          sub: machine ? `${clientId}@clients` : EXAMPLE_SUBJECTS.auth0,
          aud: audience,
          iat,
          exp,
          jti: randomUUID(),
          azp: clientId,
          ...scope,
          ...(machine ? { gty: "client-credentials" } : {}),
          permissions: [...(permissions ?? [])],
        },
      };
    case "entra": {
      // Microsoft identity platform v2.0 access tokens: `tid` (the tenant, also in the
      // issuer path), `scp` a space-separated string (delegated), `roles` (app roles), `ver`.
      if (permissions !== undefined) nowhere("entra", "permissions", "Entra puts app roles in `roles` and delegated permissions in `scp`");
      const tenant = ENTRA_PATH.exec(input.path)?.[1] ?? DEFAULT_TENANT;
      const oid = machine ? "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d" : "2d4f6a8c-1b3d-4e5f-9a7b-0c1d2e3f4a5b";
      return {
        typ: "JWT",
        claims: {
          aud: audience,
          iss: issuer,
          iat,
          nbf: iat,
          exp,
          azp: clientId,
          azpacr: "1",
          ...(machine ? { idtyp: "app" } : { name: "Mock User", preferred_username: "mock.user@example.com" }),
          oid,
          ...(scopes === undefined ? {} : { scp: scopes.join(" ") }),
          ...(roles === undefined ? {} : { roles: [...roles] }),
          sub: machine ? oid : EXAMPLE_SUBJECTS.entra,
          tid: tenant,
          uti: randomBytes(16).toString("base64url"),
          ver: "2.0",
        },
      };
    }
    case "cognito":
      // Cognito user pool access tokens: no `aud` (the app client is in `client_id`),
      // `token_use: "access"`, groups in `cognito:groups`, a space-separated `scope`.
      if (permissions !== undefined) nowhere("cognito", "permissions", "Cognito has scopes (`scope`) and groups (`cognito:groups`, the roles option)");
      return {
        typ: undefined,
        claims: {
          sub: machine ? clientId : EXAMPLE_SUBJECTS.cognito,
          ...(roles === undefined ? {} : { "cognito:groups": [...roles] }),
          iss: issuer,
          version: 2,
          client_id: clientId,
          origin_jti: randomUUID(),
          ...(machine ? {} : { event_id: randomUUID() }),
          token_use: "access",
          ...scope,
          ...(machine ? {} : { auth_time: iat }),
          exp,
          iat,
          jti: randomUUID(),
          ...(machine ? {} : { username: "mock-user" }),
        },
      };
    case "okta":
      // Okta custom authorization servers: `scp` is an array, `cid` the client, `uid` the user, groups in `groups`.
      if (permissions !== undefined) nowhere("okta", "permissions", "Okta has scopes (`scp`) and groups (`groups`, the roles option)");
      return {
        typ: undefined,
        claims: {
          ver: 1,
          jti: `AT.${randomBytes(24).toString("base64url")}`,
          iss: issuer,
          aud: audience,
          iat,
          exp,
          cid: clientId,
          ...(machine ? {} : { uid: "00u1234567890abcde" }),
          ...(scopes === undefined ? {} : { scp: [...scopes] }),
          ...(machine ? {} : { auth_time: iat }),
          sub: machine ? clientId : EXAMPLE_SUBJECTS.okta,
          ...(roles === undefined ? {} : { groups: [...roles] }),
        },
      };
    case "keycloak": {
      // Keycloak: realm roles in `realm_access.roles` (the realm's default roles are always
      // there), client roles in `resource_access`, `typ: "Bearer"` in the payload, `azp` the client.
      const realm = KEYCLOAK_PATH.exec(input.path)?.[1] ?? "mock";
      if (permissions !== undefined) nowhere("keycloak", "permissions", "Keycloak has realm roles (the roles option) and client roles in resource_access");
      return {
        typ: "JWT",
        claims: {
          exp,
          iat,
          jti: randomUUID(),
          iss: issuer,
          aud: audience,
          sub: machine ? "0b7c3e9a-2f41-4d8e-b6a5-1c9d8e7f6a50" : EXAMPLE_SUBJECTS.keycloak,
          typ: "Bearer",
          azp: clientId,
          ...(machine ? {} : { sid: randomUUID() }),
          acr: "1",
          realm_access: { roles: [`default-roles-${realm}`, "offline_access", "uma_authorization", ...(roles ?? [])] },
          resource_access: { account: { roles: ["manage-account", "manage-account-links", "view-profile"] } },
          scope: scopes === undefined ? "profile email" : scopes.join(" "),
          ...(machine ? { client_id: clientId } : {}),
          email_verified: false,
          preferred_username: machine ? `service-account-${clientId}` : "mock-user",
        },
      };
    }
  }
}

export function isTokenPreset(value: unknown): value is TokenPreset {
  return typeof value === "string" && (TOKEN_PRESETS as readonly string[]).includes(value);
}
