import type { ClaimPath, JwtClaims } from "../verifier/types.js";

export const DEFAULT_ROLE_CLAIMS: readonly ClaimPath[] = Object.freeze(["roles", "groups", "cognito:groups", ["realm_access", "roles"]]);
export const DEFAULT_PERMISSION_CLAIMS: readonly ClaimPath[] = Object.freeze(["permissions"]);

export interface FactsConfig {
  readonly roleClaims: readonly ClaimPath[];
  readonly permissionClaims: readonly ClaimPath[];
  readonly resourceAccessClients: readonly string[];
}

export function readClaim(claims: JwtClaims, path: ClaimPath): unknown {
  if (typeof path === "string") return Object.hasOwn(claims, path) ? claims[path] : undefined;
  let value: unknown = claims;
  for (const step of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** A claim as a list of strings: an array keeps its strings; a string is one value, or for scopes a space-separated list. */
function strings(value: unknown, into: Set<string>, spaceSeparated = false): void {
  if (typeof value === "string") {
    if (!spaceSeparated) {
      if (value !== "") into.add(value);
      return;
    }
    for (const part of value.split(" ")) if (part !== "") into.add(part);
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "string" && item !== "") into.add(item);
  }
}

/**
 * Scopes from `scope` (RFC 8693 §4.2 and RFC 9068 §2.2.3: space separated)
 * and `scp` (Okta and Entra: an array or a space-separated string).
 */
export function scopesOf(claims: JwtClaims): string[] {
  const found = new Set<string>();
  strings(claims.scope, found, true);
  strings(claims.scp, found, true);
  return [...found];
}

export function rolesOf(claims: JwtClaims, config: FactsConfig): string[] {
  const found = new Set<string>();
  for (const path of config.roleClaims) strings(readClaim(claims, path), found);
  for (const client of config.resourceAccessClients) strings(readClaim(claims, ["resource_access", client, "roles"]), found);
  return [...found];
}

export function permissionsOf(claims: JwtClaims, config: FactsConfig): string[] {
  const found = new Set<string>();
  for (const path of config.permissionClaims) strings(readClaim(claims, path), found);
  return [...found];
}
