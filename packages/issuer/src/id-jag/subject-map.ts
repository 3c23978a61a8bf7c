// Subject resolution (draft-ietf-oauth-identity-assertion-authz-grant §2.2,
// editor's copy after -03): which local subject an ID-JAG's user is. The
// provider's account rules are tried in order, each field compared exactly;
// without a match, the ID-JAG's sub (draft §3.1: unique within its issuer,
// or within issuer and tenant) behind the provider's prefix, or a refusal.

import type { ResolvedTrustedIdentityProvider } from "../config/types.js";

export interface SubjectClaims {
  readonly sub: string;
  readonly email: string | undefined;
  /** OpenID Connect Core §5.1: only absent or true lets the address match an account rule. */
  readonly emailVerified: unknown;
  readonly tenant: string | undefined;
}

/** The access token's subject, or undefined when the provider's policy refuses this user. */
export function mapSubject(provider: ResolvedTrustedIdentityProvider, claims: SubjectClaims): string | undefined {
  for (const { match, subject } of provider.subject.accounts) {
    if (match.sub !== undefined && match.sub !== claims.sub) continue;
    if (match.tenant !== undefined && match.tenant !== claims.tenant) continue;
    // An address the IdP says it has not verified identifies no one (OpenID Connect Core §5.7).
    // §5.1: email_verified is a boolean; anything but absent or true (a string "false", null) fails closed.
    if (match.email !== undefined && (match.email !== claims.email || (claims.emailVerified !== undefined && claims.emailVerified !== true))) continue;
    return subject;
  }
  return provider.subject.unmatched === "sub" ? `${provider.subject.prefix}${claims.sub}` : undefined;
}
