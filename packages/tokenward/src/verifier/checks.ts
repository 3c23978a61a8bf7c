import { list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledPolicy } from "../issuers/compile.js";
import { describeType } from "../issuers/typ.js";
import type { JwsHeader } from "../jws/parse.js";
import type { CheckContext, JwtClaims } from "./types.js";

/** `typ` as a media type (`type`, already normalized) against the policy's list (RFC 7515 §4.1.9, RFC 8725 §3.11). */
export function checkType(header: JwsHeader, type: string | undefined, policy: CompiledPolicy): void {
  if (type === undefined) {
    if (!policy.requireType) return;
    throw new TokenError("type_not_allowed", {
      hint: `the token has no "typ" header; the issuer ${show(policy.issuer)} requires one of ${list([...policy.types])}`,
    });
  }
  if (policy.types.has(type)) return;
  const what = describeType(type);
  throw new TokenError("type_not_allowed", {
    hint: `typ ${show(header.typ)}${what === undefined ? "" : ` marks ${what}`}; this API accepts ${list([...policy.types])} from ${show(policy.issuer)} (RFC 8725 §3.11: each kind of JWT gets its own typ, so one cannot pass for another).`,
  });
}

/** For a `{tenantid}` issuer: the tenant claim must equal the tenant in `iss`, and the tenant must be allowed. */
export function checkTenant(claims: JwtClaims, policy: CompiledPolicy, tenant: string): void {
  const claimed = claims[policy.tenantClaim];
  if (claimed !== tenant) {
    throw new TokenError("tenant_not_allowed", {
      hint: `the tenant in iss is ${show(tenant)} but the "${policy.tenantClaim}" claim is ${show(claimed)}; they must be equal, or a token from one tenant could pose as another's`,
    });
  }
  if (policy.tenants === "any" || policy.tenants?.has(tenant)) return;
  throw new TokenError("tenant_not_allowed", {
    hint: `tenant ${show(tenant)} is not among the allowed tenants of ${show(policy.issuer)}: ${list([...(policy.tenants ?? [])])}. Add it to tenants if it should get in.`,
  });
}

/** The policy's own `check`, last: false or a reason refuses (claim_invalid); a thrown TokenError keeps its code. */
function checkVerdict(verdict: boolean | string | undefined): void {
  if (verdict === false || typeof verdict === "string") {
    // An empty reason still refuses, and the operator still needs a hint.
    throw new TokenError("claim_invalid", { hint: typeof verdict === "string" && verdict !== "" ? verdict : "the issuer policy's check refused the token" });
  }
}

function checkFailed(error: unknown): never {
  if (TokenError.is(error)) throw error;
  throw new TokenError("claim_invalid", { hint: `the issuer policy's check threw: ${error instanceof Error ? error.message : String(error)}` });
}

/**
 * Runs the policy's `check` (sync or async) and settles its verdict. It runs
 * on every verification, cache hits included: it is the application's own
 * code and may consult what the token does not carry (a revoked session, a
 * suspended user), so remembering a token must never skip it.
 */
export function runCheck(check: NonNullable<CompiledPolicy["check"]>, context: CheckContext): void | Promise<void> {
  let verdict: ReturnType<typeof check>;
  try {
    verdict = check(context);
  } catch (error) {
    checkFailed(error);
  }
  if (verdict instanceof Promise) return verdict.then(checkVerdict, checkFailed);
  checkVerdict(verdict);
}
