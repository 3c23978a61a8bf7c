import { duration, list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledPolicy } from "../issuers/compile.js";
import type { JwtClaims } from "./types.js";

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/** A NumericDate (RFC 7519 §2): a finite JSON number, possibly fractional. */
function numericDate(claims: JwtClaims, name: "exp" | "nbf" | "iat"): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TokenError("claim_invalid", {
      hint: `"${name}" is ${show(value)}; it must be a NumericDate, a finite number of seconds since the epoch (RFC 7519 §2)`,
    });
  }
  return value;
}

/**
 * The time rules. `exp` is required (RFC 9068 §2.2) and must be in the
 * future; `nbf` and `iat` must not be in the future; each allows the
 * policy's clock tolerance. Hints give the distances and this server's clock,
 * since most failures here are clock skew.
 */
export function checkTimes(claims: JwtClaims, policy: CompiledPolicy, now: number): number {
  const tolerance = policy.clockTolerance;
  const clock = `this server's clock reads ${isoTime(now)}`;
  const exp = numericDate(claims, "exp");
  if (exp === undefined) throw new TokenError("claim_missing", { hint: 'the token has no "exp"; access tokens must expire (RFC 9068 §2.2)' });
  if (exp <= now - tolerance) {
    throw new TokenError("token_expired", {
      hint: `the token expired ${duration(now - exp)} ago (exp ${isoTime(exp)}; ${clock}; tolerance ${tolerance} s). If fresh tokens fail this way, this server's clock is ahead: synchronise it with NTP.`,
    });
  }
  const nbf = numericDate(claims, "nbf");
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new TokenError("token_not_yet_valid", {
      hint: `the token is not valid for another ${duration(nbf - now)} (nbf ${isoTime(nbf)}; ${clock}; tolerance ${tolerance} s). This is usually clock skew between the issuer and this server: synchronise clocks with NTP or raise clockTolerance.`,
    });
  }
  const iat = numericDate(claims, "iat");
  if (iat !== undefined && iat > now + tolerance) {
    throw new TokenError("token_not_yet_valid", {
      hint: `the token claims to be issued ${duration(iat - now)} in the future (iat ${isoTime(iat)}; ${clock}; tolerance ${tolerance} s): clock skew between the issuer and this server, or a forged iat.`,
    });
  }
  if (policy.maxTokenAge !== undefined) {
    if (iat === undefined)
      throw new TokenError("claim_missing", { hint: `the issuer's maxTokenAge (${policy.maxTokenAge} s) needs an "iat" claim, and the token has none` });
    if (now - iat - tolerance > policy.maxTokenAge) {
      throw new TokenError("token_expired", {
        hint: `the token was issued ${duration(now - iat)} ago, more than the maxTokenAge of ${duration(policy.maxTokenAge)} (iat ${isoTime(iat)}; ${clock})`,
      });
    }
  }
  return exp;
}

/** `kindClaims`: the token says in a claim what kind of token it is (Cognito `token_use`, Keycloak `typ`). */
export function checkKind(claims: JwtClaims, policy: CompiledPolicy): void {
  for (const [name, expected] of policy.kindClaims) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (value === expected) continue;
    if (value === undefined)
      throw new TokenError("claim_missing", {
        hint: `the issuer marks the kind of each token in "${name}"; this token has none, and the API takes ${show(expected)} tokens`,
      });
    const idToken = typeof value === "string" && value.toLowerCase() === "id";
    throw new TokenError("type_not_allowed", {
      hint: `"${name}" is ${show(value)}: this API takes tokens whose "${name}" is ${show(expected)}.${idToken ? " This is an ID token. Send the access token in the Authorization header instead." : ""}`,
    });
  }
}

export function checkAudience(claims: JwtClaims, policy: CompiledPolicy): void {
  const accepted = policy.audiences;
  if (accepted === undefined) return;
  const name = policy.audienceClaim;
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  const configured = list([...accepted]);
  if (value === undefined) {
    throw new TokenError("audience_mismatch", {
      hint: `the token has no "${name}" claim; this API accepts ${configured}. Request the token for this API's audience.`,
    });
  }
  // RFC 7519 §4.1.3: a single string or an array of strings.
  const values =
    typeof value === "string" ? [value] : Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
  if (values === undefined)
    throw new TokenError("audience_mismatch", { hint: `"${name}" is ${show(value)}, neither a string nor an array of strings (RFC 7519 §4.1.3)` });
  for (const audience of values) if (accepted.has(audience)) return;
  throw new TokenError("audience_mismatch", {
    hint: `the token's ${name} is ${list(values)}; this API accepts ${configured}. Audiences are compared exactly: request the token for this API's audience, or add it to the issuer's audience list.`,
  });
}

/** Type rules for the registered string claims (RFC 7519 §4.1.2, §4.1.7). */
export function checkRegisteredTypes(claims: JwtClaims): void {
  for (const name of ["sub", "jti"] as const) {
    const value = claims[name];
    if (value !== undefined && typeof value !== "string")
      throw new TokenError("claim_invalid", { hint: `"${name}" is ${show(value)}; it must be a string (RFC 7519 §4.1)` });
  }
}

export function checkRequiredClaims(claims: JwtClaims, policy: CompiledPolicy): void {
  for (const name of policy.requiredClaims) {
    if (!Object.hasOwn(claims, name)) throw new TokenError("claim_missing", { hint: `the issuer policy requires "${name}", and the token has none` });
  }
  for (const [name, expected] of policy.claimRules) {
    const present = Object.hasOwn(claims, name);
    const value = present ? claims[name] : undefined;
    if (typeof expected === "function") {
      let passed = false;
      try {
        passed = expected(value, claims) === true;
      } catch {
        passed = false;
      }
      if (!passed) {
        throw new TokenError(present ? "claim_invalid" : "claim_missing", {
          hint: `"${name}" ${present ? `is ${show(value)}, which` : "is absent and"} fails the issuer policy's predicate`,
        });
      }
    } else if (!present) {
      throw new TokenError("claim_missing", { hint: `the issuer policy requires "${name}" to be ${show(expected)}, and the token has no "${name}"` });
    } else if (value !== expected) {
      throw new TokenError("claim_invalid", { hint: `"${name}" is ${show(value)}; the issuer policy requires ${show(expected)}` });
    }
  }
}
