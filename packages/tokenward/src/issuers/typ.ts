/**
 * RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively, and
 * "application/" may be left out when no other "/" appears.
 */
export function normalizeMediaType(value: string): string {
  const lower = value.toLowerCase();
  return lower.includes("/") ? lower : `application/${lower}`;
}

export const DEFAULT_TYPES: readonly string[] = Object.freeze(["JWT", "at+jwt"]);

/** What a refused `typ` usually is, so the hint can say why it does not belong at an API. */
const KNOWN_TYPES: Readonly<Record<string, string>> = {
  "application/oauth-id-jag+jwt":
    "an Identity Assertion JWT Authorization Grant (ID-JAG): it is exchanged at an authorization server's token endpoint with the jwt-bearer grant, never presented to an API",
  "application/dpop+jwt": "a DPoP proof (RFC 9449): it accompanies an access token in the DPoP header, it is not one",
  "application/logout+jwt": "an OpenID Connect back-channel logout token",
  "application/secevent+jwt": "a Security Event Token (RFC 8417)",
  "application/id_token+jwt": "an OpenID Connect ID token",
  "application/client-authentication+jwt": "a client assertion for the token endpoint (RFC 7523)",
  "application/token-introspection+jwt": "a signed introspection response (RFC 9701)",
};

export function describeType(normalized: string): string | undefined {
  return KNOWN_TYPES[normalized];
}
