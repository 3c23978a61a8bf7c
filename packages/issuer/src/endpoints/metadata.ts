// Authorization server metadata, RFC 8414 §2 and §3, served at every URL a
// client may derive from the issuer: the RFC 8414 §3.1 path insertion
// (/.well-known/oauth-authorization-server{path}), OpenID Connect Discovery
// 1.0 §4 ({issuer}/.well-known/openid-configuration), and the two spellings
// clients also try ({issuer}/.well-known/oauth-authorization-server,
// /.well-known/openid-configuration{path}). The document is built once.

import { CLIENT_ASSERTION_SIGNING_ALGORITHMS, clientAuthMethodsSupported } from "../client-auth/supported.js";
import type { ResolvedConfig } from "../config/types.js";
import { GRANTS } from "../grants/index.js";
import { ID_JAG_PROFILE, JWT_BEARER } from "../id-jag/constants.js";
import { IDENTITY_SCOPES, identityProviderMetadata } from "../idp/metadata.js";

export function buildMetadata(config: ResolvedConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const methods = clientAuthMethodsSupported(config);
  const signing = methods.includes("private_key_jwt") ? { token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_SIGNING_ALGORITHMS] } : {};
  const scopes = new Set<string>();
  for (const client of config.clients.values()) for (const scope of client.scopes) scopes.add(scope);
  if (config.identityProvider !== undefined) for (const scope of IDENTITY_SCOPES) scopes.add(scope);
  // The grants served here that at least one configured client may use.
  const grantTypes = [...GRANTS.keys()].filter((grant) => [...config.clients.values()].some((client) => client.grantTypes.has(grant)));
  // draft-ietf-oauth-identity-assertion-authz-grant §7.2 (editor's copy after -03): the ID-JAG
  // profile, listed only with the jwt-bearer grant; §8.4: never the trusted issuers themselves.
  const idJag = config.trustedIdentityProviders.size > 0 && grantTypes.includes(JWT_BEARER) ? { authorization_grant_profiles_supported: [ID_JAG_PROFILE] } : {};
  return {
    // RFC 8414 §3.3: the issuer MUST be identical to the one the metadata was derived from.
    issuer: config.issuer,
    token_endpoint: config.endpoints.token,
    jwks_uri: config.endpoints.jwks,
    // RFC 8414 §2: REQUIRED. This server has no authorization endpoint, so no response type.
    response_types_supported: [],
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: methods,
    ...signing,
    ...idJag,
    scopes_supported: [...scopes].sort(),
    introspection_endpoint: config.endpoints.introspection,
    introspection_endpoint_auth_methods_supported: methods,
    ...(methods.includes("private_key_jwt") ? { introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_SIGNING_ALGORITHMS] } : {}),
    revocation_endpoint: config.endpoints.revocation,
    revocation_endpoint_auth_methods_supported: methods,
    ...(methods.includes("private_key_jwt") ? { revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_SIGNING_ALGORITHMS] } : {}),
    // The identity provider role: authorization endpoint, OpenID provider members, ID-JAG token type.
    ...identityProviderMetadata(config),
    ...extra,
  };
}

/** Every path (relative to the server's origin) at which the metadata is served. */
export function metadataPaths(config: ResolvedConfig): string[] {
  const path = config.issuerPath;
  const paths = new Set<string>([
    `/.well-known/oauth-authorization-server${path}`,
    `${path}/.well-known/openid-configuration`,
    `${path}/.well-known/oauth-authorization-server`,
    `/.well-known/openid-configuration${path}`,
  ]);
  return [...paths];
}
