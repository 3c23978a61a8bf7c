/**
 * The stable error codes of `verify`, their HTTP status and the message a
 * client may see. The table is the promise in CONTRACT.md: codes are never
 * renamed or removed, and a status never changes.
 */
export const TOKEN_ERRORS = {
  token_missing: { status: 401, message: "No bearer token was presented." },
  // RFC 6750 §3.1: the request carries its credentials wrongly (two of them,
  // a token in the URL where that is refused, a malformed Authorization header).
  invalid_request: { status: 400, message: "The request presents its bearer token incorrectly." },
  token_malformed: { status: 401, message: "The token is malformed." },
  algorithm_not_allowed: { status: 401, message: "The token's signing algorithm is not allowed." },
  type_not_allowed: { status: 401, message: "The token's type is not accepted here." },
  issuer_untrusted: { status: 401, message: "The token's issuer is not trusted." },
  tenant_not_allowed: { status: 401, message: "The token's tenant is not allowed." },
  key_not_found: { status: 401, message: "No key matches the token's signature." },
  jwks_unavailable: { status: 503, message: "The signing keys cannot be fetched right now." },
  introspection_unavailable: { status: 503, message: "The token cannot be introspected right now." },
  signature_invalid: { status: 401, message: "The token's signature is invalid." },
  token_expired: { status: 401, message: "The token has expired." },
  token_not_yet_valid: { status: 401, message: "The token is not valid yet." },
  audience_mismatch: { status: 401, message: "The token is not meant for this audience." },
  claim_missing: { status: 401, message: "The token lacks a required claim." },
  claim_invalid: { status: 401, message: "A claim in the token has an invalid value." },
  token_inactive: { status: 401, message: "The token is not active." },
  token_replayed: { status: 401, message: "The token has already been used." },
  insufficient_scope: { status: 403, message: "The token does not grant the required scope." },
  access_denied: { status: 403, message: "The token does not grant access to this resource." },
} as const satisfies Record<string, { status: 400 | 401 | 403 | 503; message: string }>;

export type TokenErrorCode = keyof typeof TOKEN_ERRORS;

export const TOKEN_ERROR_CODES = Object.freeze(Object.keys(TOKEN_ERRORS) as TokenErrorCode[]);
