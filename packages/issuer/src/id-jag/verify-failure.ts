// The one answer to every defect of an ID-JAG. RFC 7523 §3.1 and RFC 7521
// §4.1.1: an invalid assertion is invalid_grant. The description is the same
// whatever the defect, so an answer never tells an untrusted issuer from a bad
// signature, or one user from another (issue 7); the reason goes to `detail`,
// which only the operator's log sees.

import { OAuthError } from "../errors/oauth-error.js";

export const ASSERTION_NOT_VALID = "the assertion is not valid";

export function assertionRefused(detail: string): OAuthError {
  return new OAuthError("invalid_grant", ASSERTION_NOT_VALID, { detail: `ID-JAG refused: ${detail}` });
}
