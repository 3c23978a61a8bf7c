// What the identity provider role adds to the authorization server metadata
// (RFC 8414 §2, OpenID Connect Discovery 1.0 §3), merged by
// endpoints/metadata.ts when the role is on.

import type { ResolvedConfig } from "../config/types.js";
import { ID_JAG_TOKEN_TYPE } from "../id-jag/constants.js";

export function identityProviderMetadata(config: ResolvedConfig): Record<string, unknown> {
  const idp = config.identityProvider;
  if (idp === undefined) return {};
  return {
    authorization_endpoint: idp.authorizationEndpoint,
    // RFC 8414 §2: response_types_supported REQUIRED; only the code flow.
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    // RFC 7636 §4.2 / RFC 8414 §2: S256 only; plain is refused.
    code_challenge_methods_supported: ["S256"],
    // OpenID Connect Discovery §3: REQUIRED members of an OpenID provider.
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [config.keys.algorithm],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "jti", "amr", "email", "name"],
    // RFC 9207 §3: the authorization response carries iss.
    authorization_response_iss_parameter_supported: true,
    // draft-ietf-oauth-identity-assertion-authz-grant §7.1 (editor's copy after -03): the IdP SHOULD list the ID-JAG type.
    identity_chaining_requested_token_types_supported: [ID_JAG_TOKEN_TYPE],
  };
}

/** The OpenID Connect scopes the sign-in understands (OpenID Connect Core §5.4), for scopes_supported. */
export const IDENTITY_SCOPES: readonly string[] = Object.freeze(["openid", "profile", "email"]);
