import { list, nearMiss, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledIssuers, CompiledPolicy } from "./compile.js";
import { matchTemplate } from "./template.js";

export interface Selection {
  readonly policy: CompiledPolicy;
  readonly tenant: string | undefined;
}

function untrustedHint(iss: string, issuers: CompiledIssuers): string {
  const configured = issuers.all.map((policy) => policy.issuer);
  for (const candidate of configured) {
    const why = nearMiss(iss, candidate);
    if (why !== undefined) {
      return `the token's iss ${show(iss)} ${why} from the trusted issuer ${show(candidate)}. Issuers are compared byte for byte: configure the issuer exactly as your tokens spell it (check trailing slashes, http vs https, tenant ids and domains).`;
    }
  }
  return `the token's iss ${show(iss)} is none of the trusted issuers: ${list(configured)}. If this issuer should be trusted, add it to issuers; no keys were fetched for it.`;
}

/** A grandfathered issuer past its `until` (seed 001: the old issuer of a migration). */
export function grandfatheringOver(issuer: string, until: number): TokenError {
  return new TokenError("issuer_untrusted", {
    hint: `${show(issuer)} was a grandfathered issuer, trusted until ${new Date(until * 1000).toISOString()}; it is refused now. Clients must get tokens from the new issuer.`,
  });
}

/**
 * Chooses the policy by the unverified `iss`: exact match first, then
 * `{tenantid}` templates. The token's claims decide nothing else here, and an
 * unknown issuer is refused before any network request, so a token can
 * never make the verifier fetch from a URL it names.
 */
export function selectIssuer(iss: unknown, issuers: CompiledIssuers, now: number): Selection {
  if (iss === undefined)
    throw new TokenError("issuer_untrusted", { hint: 'the token has no "iss" claim, so no trusted issuer can vouch for it (RFC 7519 §4.1.1)' });
  if (typeof iss !== "string") throw new TokenError("issuer_untrusted", { hint: `"iss" is ${show(iss)}, not a string (RFC 7519 §4.1.1)` });
  let policy = issuers.exact.get(iss);
  let tenant: string | undefined;
  if (policy === undefined) {
    for (const candidate of issuers.templates) {
      if (candidate.template === undefined) continue;
      tenant = matchTemplate(candidate.template, iss);
      if (tenant !== undefined) {
        policy = candidate;
        break;
      }
    }
  }
  if (policy === undefined) throw new TokenError("issuer_untrusted", { hint: untrustedHint(iss, issuers) });
  if (policy.until !== undefined && now > policy.until) throw grandfatheringOver(policy.issuer, policy.until);
  return { policy, tenant };
}
