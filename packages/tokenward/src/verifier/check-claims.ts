import { duration, list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledPolicy } from "../issuers/compile.js";
import { grandfatheringOver } from "../issuers/select.js";
import type { JwtClaims } from "./types.js";

function isoTime(seconds: number | undefined): string {
  if (seconds === undefined) return "(none)";
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

/** A token's time claims and the policy's bounds on them: what a cache hit re-checks. */
export interface TimeWindow {
  readonly exp: number;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
  readonly tolerance: number;
  readonly maxTokenAge: number | undefined;
  /** A grandfathered issuer's last second (policy `until`). */
  readonly until: number | undefined;
}

type TimeFailure = "exp" | "nbf" | "iat" | "age" | "until";

/**
 * Which time rule fails at `now`, if any. The single statement of the rules,
 * used by a full verification and by every cache hit alike, so the cache can
 * never decide differently: `exp` must be in the future (RFC 7519 §4.1.4),
 * `nbf` and `iat` not in the future (§4.1.5, §4.1.6), each within the
 * tolerance; `iat` no older than `maxTokenAge`; `now` not past `until`.
 */
export function timeFailure(window: TimeWindow, now: number): TimeFailure | undefined {
  const { exp, nbf, iat, tolerance, maxTokenAge, until } = window;
  if (exp <= now - tolerance) return "exp";
  if (nbf !== undefined && nbf > now + tolerance) return "nbf";
  if (iat !== undefined && iat > now + tolerance) return "iat";
  if (maxTokenAge !== undefined && iat !== undefined && now - iat - tolerance > maxTokenAge) return "age";
  if (until !== undefined && now > until) return "until";
  return undefined;
}

/**
 * The time rules, with hints that give the distances and this server's
 * clock, since most failures here are clock skew. `exp` is required
 * (RFC 9068 §2.2), and `iat` too when the policy bounds the token's age.
 * An introspection answer may lack `exp` (RFC 7662 §2.2: optional): with
 * `expRequired` false its window then ends at Infinity.
 */
export function checkTimes(claims: JwtClaims, policy: CompiledPolicy, now: number, expRequired = true): TimeWindow {
  let exp = numericDate(claims, "exp");
  if (exp === undefined && !expRequired) exp = Number.POSITIVE_INFINITY;
  if (exp === undefined) throw new TokenError("claim_missing", { hint: 'the token has no "exp"; access tokens must expire (RFC 9068 §2.2)' });
  const nbf = numericDate(claims, "nbf");
  const iat = numericDate(claims, "iat");
  const { clockTolerance: tolerance, maxTokenAge, until } = policy;
  if (maxTokenAge !== undefined && iat === undefined) {
    throw new TokenError("claim_missing", { hint: `the issuer's maxTokenAge (${maxTokenAge} s) needs an "iat" claim, and the token has none` });
  }
  const window: TimeWindow = { exp, nbf, iat, tolerance, maxTokenAge, until };
  const failure = timeFailure(window, now);
  if (failure === undefined) return window;
  const clock = `this server's clock reads ${isoTime(now)}`;
  switch (failure) {
    case "exp":
      throw new TokenError("token_expired", {
        hint: `the token expired ${duration(now - exp)} ago (exp ${isoTime(exp)}; ${clock}; tolerance ${tolerance} s). If fresh tokens fail this way, this server's clock is ahead: synchronise it with NTP.`,
      });
    case "nbf":
      throw new TokenError("token_not_yet_valid", {
        hint: `the token is not valid for another ${duration((nbf ?? now) - now)} (nbf ${isoTime(nbf)}; ${clock}; tolerance ${tolerance} s). This is usually clock skew between the issuer and this server: synchronise clocks with NTP or raise clockTolerance.`,
      });
    case "iat":
      throw new TokenError("token_not_yet_valid", {
        hint: `the token claims to be issued ${duration((iat ?? now) - now)} in the future (iat ${isoTime(iat)}; ${clock}; tolerance ${tolerance} s): clock skew between the issuer and this server, or a forged iat.`,
      });
    case "age":
      throw new TokenError("token_expired", {
        hint: `the token was issued ${duration(now - (iat ?? now))} ago, more than the maxTokenAge of ${duration(maxTokenAge ?? 0)} (iat ${isoTime(iat)}; ${clock})`,
      });
    case "until":
      throw grandfatheringOver(policy.issuer, until ?? now);
  }
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
  // RFC 7519 §4.1.3: a single string, the common case, or an array of strings.
  if (typeof value === "string" && accepted.has(value)) return;
  if (value === undefined) {
    throw new TokenError("audience_mismatch", {
      hint: `the token has no "${name}" claim; this API accepts ${list([...accepted])}. Request the token for this API's audience.`,
    });
  }
  const values =
    typeof value === "string" ? [value] : Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
  if (values === undefined)
    throw new TokenError("audience_mismatch", { hint: `"${name}" is ${show(value)}, neither a string nor an array of strings (RFC 7519 §4.1.3)` });
  for (const audience of values) if (accepted.has(audience)) return;
  throw new TokenError("audience_mismatch", {
    hint: `the token's ${name} is ${list(values)}; this API accepts ${list([...accepted])}. Audiences are compared exactly: request the token for this API's audience, or add it to the issuer's audience list.`,
  });
}

/** Type rules for the registered string claims (RFC 7519 §4.1.2, §4.1.7). */
export function checkRegisteredTypes(claims: JwtClaims): void {
  for (const name of REGISTERED_STRINGS) {
    const value = claims[name];
    if (value !== undefined && typeof value !== "string")
      throw new TokenError("claim_invalid", { hint: `"${name}" is ${show(value)}; it must be a string (RFC 7519 §4.1)` });
  }
}

const REGISTERED_STRINGS = ["sub", "jti"] as const;

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
