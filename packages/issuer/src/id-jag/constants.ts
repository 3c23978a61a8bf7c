// The identifiers of Cross App Access, shared by the identity provider role
// (token exchange minting ID-JAGs) and the authorization server role (the
// jwt-bearer grant accepting them). Source: draft-ietf-oauth-identity-assertion-authz-grant
// (editor's copy after -03), RFC 7523 §2.1, RFC 8693 §2.1 and §3.

/** Draft §3: the `typ` header of an ID-JAG. */
export const ID_JAG_TYP = "oauth-id-jag+jwt";
/** Draft §9.2: the token type URI of an ID-JAG (RFC 8693 requested_token_type / issued_token_type). */
export const ID_JAG_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id-jag";
/** RFC 7523 §2.1: the grant type that redeems an ID-JAG at the resource authorization server. */
export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** RFC 8693 §2.1: the token exchange grant type. */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
/** RFC 8693 §3: an OpenID Connect ID Token as subject_token. */
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
/** Draft §7.2: the grant profile a resource authorization server advertises. */
export const ID_JAG_PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";
