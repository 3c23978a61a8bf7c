// The grant types a client may be configured for: client credentials
// (RFC 6749 §4.4), the JWT bearer grant (RFC 7523 §2.1, also how an ID-JAG
// is redeemed) and token exchange (RFC 8693 §2.1). A name outside this list
// is a typo, refused with a did-you-mean rather than silently never matching.
export const KNOWN_GRANT_TYPES: readonly string[] = Object.freeze([
  "client_credentials",
  // RFC 6749 §4.1, with PKCE: users signing in at the identity provider role (config/resolve-idp.ts).
  "authorization_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:token-exchange",
]);
