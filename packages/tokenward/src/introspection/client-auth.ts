/**
 * RFC 6749 Appendix B: application/x-www-form-urlencoded, as client_id and
 * client_secret are encoded before they are joined for HTTP Basic
 * (§2.3.1). Every byte outside the unreserved set is %-encoded, so a ":" in
 * the client id cannot move the split, and a space becomes "+".
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

/**
 * The `Authorization` header of `client_secret_basic` (RFC 6749 §2.3.1):
 * `Basic base64(formEncode(id) ":" formEncode(secret))`. The encoded form is
 * ASCII, so btoa (in every runtime) suffices.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}
