import { list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { ClaimPath, JwtClaims, VerifiedToken } from "../verifier/types.js";
import { readClaim } from "./facts.js";

/** A check on a verified token: returns when it passes, throws a `TokenError` (403) when not. */
export type Guard = (token: VerifiedToken) => void;

export interface MatchOptions {
  /** `all` (default): every item is needed. `any`: one is enough. */
  readonly mode?: "all" | "any";
}

function missing(have: readonly string[], want: readonly string[], mode: "all" | "any"): string[] | undefined {
  const held = new Set(have);
  const absent = want.filter((item) => !held.has(item));
  if (mode === "any") return absent.length < want.length ? undefined : absent;
  return absent.length === 0 ? undefined : absent;
}

function wanted(kind: string, items: string | readonly string[]): readonly string[] {
  const list = typeof items === "string" ? [items] : items;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string" && item !== "")) {
    throw new TypeError(`${kind} needs at least one non-empty string`);
  }
  return Object.freeze([...list]);
}

/** Requires scopes (RFC 6749 §3.3); fails with `insufficient_scope` (403) carrying the scopes for the challenge. */
export function requireScopes(scopes: string | readonly string[], options: MatchOptions = {}): Guard {
  const want = wanted("requireScopes", scopes);
  const mode = options.mode ?? "all";
  return (token) => {
    const absent = missing(token.scopes, want, mode);
    if (absent === undefined) return;
    throw new TokenError("insufficient_scope", {
      hint: `the route needs ${mode === "all" ? "all" : "one"} of the scopes ${list(want)}; the token has ${list(token.scopes)} (missing ${list(absent)})`,
      requiredScopes: want,
    });
  };
}

function factGuard(kind: "roles" | "permissions", items: string | readonly string[], options: MatchOptions): Guard {
  const want = wanted(kind === "roles" ? "requireRoles" : "requirePermissions", items);
  const mode = options.mode ?? "all";
  return (token) => {
    const absent = missing(token[kind], want, mode);
    if (absent === undefined) return;
    throw new TokenError("access_denied", {
      hint: `the route needs ${mode === "all" ? "all" : "one"} of the ${kind} ${list(want)}; the token has ${list(token[kind])} (missing ${list(absent)})`,
    });
  };
}

/** Requires roles (from `roles`, `groups`, `cognito:groups`, Keycloak's `realm_access`, or the configured claims); fails with `access_denied`. */
export function requireRoles(roles: string | readonly string[], options: MatchOptions = {}): Guard {
  return factGuard("roles", roles, options);
}

/** Requires permissions (Auth0 RBAC `permissions`, or the configured claims); fails with `access_denied`. */
export function requirePermissions(permissions: string | readonly string[], options: MatchOptions = {}): Guard {
  return factGuard("permissions", permissions, options);
}

/**
 * Requires a claim to equal a value, or to pass a predicate. The claim is a
 * top-level name (namespaced names like `https://yourapp.com/tenant_id` work
 * as is) or a path of steps into nested objects.
 */
export function requireClaim(path: ClaimPath, expected: string | number | boolean | ((value: unknown, claims: JwtClaims) => boolean)): Guard {
  const name = typeof path === "string" ? path : path.join(".");
  return (token) => {
    const value = readClaim(token.claims, path);
    let passed: boolean;
    try {
      passed = typeof expected === "function" ? expected(value, token.claims) === true : value === expected;
    } catch {
      passed = false;
    }
    if (passed) return;
    throw new TokenError("access_denied", {
      hint:
        typeof expected === "function"
          ? `claim "${name}" (${show(value)}) fails the route's predicate`
          : `claim "${name}" is ${show(value)}; the route requires ${show(expected)}`,
    });
  };
}

/** Requires an array claim (or a space-separated string claim) to include a value. */
export function requireClaimIncludes(path: ClaimPath, item: string): Guard {
  const name = typeof path === "string" ? path : path.join(".");
  return (token) => {
    const value = readClaim(token.claims, path);
    const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(" ") : [];
    if (items.includes(item)) return;
    throw new TokenError("access_denied", { hint: `claim "${name}" is ${show(value)}; the route requires it to include ${show(item)}` });
  };
}

/** Passes when every guard passes; the first failure is reported. */
export function allOf(...guards: Guard[]): Guard {
  return (token) => {
    for (const guard of guards) guard(token);
  };
}

/**
 * Passes when one guard passes. When all fail, an `insufficient_scope`
 * failure wins (so the client learns which scopes to request); otherwise the
 * first failure is reported.
 */
export function anyOf(...guards: Guard[]): Guard {
  if (guards.length === 0) throw new TypeError("anyOf needs at least one guard");
  return (token) => {
    const failures: TokenError[] = [];
    for (const guard of guards) {
      try {
        guard(token);
        return;
      } catch (error) {
        if (!TokenError.is(error)) throw error;
        failures.push(error);
      }
    }
    throw failures.find((failure) => failure.code === "insufficient_scope") ?? failures[0];
  };
}

/** Runs guards against a verified token, throwing the first failure. */
export function authorize(token: VerifiedToken, ...guards: Guard[]): VerifiedToken {
  for (const guard of guards) guard(token);
  return token;
}
