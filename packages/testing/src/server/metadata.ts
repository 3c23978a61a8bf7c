export interface MockEndpoints {
  /** OpenID Connect Discovery 1.0 §4: the issuer, then /.well-known/openid-configuration. */
  readonly openidConfiguration: string;
  /** RFC 8414 §3.1: /.well-known/oauth-authorization-server inserted between host and path. */
  readonly authorizationServerMetadata: string;
  readonly jwks: string;
  readonly token: string;
  readonly introspection: string;
  readonly revocation: string;
}

/**
 * The URLs of a mock issuer. Metadata URLs follow the two derivation rules:
 * OpenID Connect appends the well-known suffix to the issuer (after removing a
 * terminating "/"), RFC 8414 §3.1 inserts its suffix before the path.
 */
export function endpointsOf(origin: string, path: string): MockEndpoints {
  const base = path.replace(/\/+$/, "");
  return {
    openidConfiguration: `${origin}${base}/.well-known/openid-configuration`,
    authorizationServerMetadata: `${origin}/.well-known/oauth-authorization-server${base}`,
    jwks: `${origin}${base}/.well-known/jwks.json`,
    token: `${origin}${base}/oauth/token`,
    introspection: `${origin}${base}/oauth/introspect`,
    revocation: `${origin}${base}/oauth/revoke`,
  };
}

/** Paths (from the origin) where the metadata is served: both rules, and the two spellings clients also try. */
export function metadataPaths(path: string): string[] {
  const base = path.replace(/\/+$/, "");
  return [
    ...new Set([
      `${base}/.well-known/openid-configuration`,
      `/.well-known/oauth-authorization-server${base}`,
      `${base}/.well-known/oauth-authorization-server`,
      `/.well-known/openid-configuration${base}`,
    ]),
  ];
}

/** RFC 8414 §2 authorization server metadata, which OpenID Connect Discovery §3 extends. */
export function buildMetadata(issuer: string, endpoints: MockEndpoints, scopes: readonly string[]): Record<string, unknown> {
  const authMethods = ["client_secret_basic", "client_secret_post"];
  return {
    // RFC 8414 §3.3 and OIDC Discovery §4.3: identical to the issuer the metadata was derived from.
    issuer,
    jwks_uri: endpoints.jwks,
    token_endpoint: endpoints.token,
    token_endpoint_auth_methods_supported: authMethods,
    grant_types_supported: ["client_credentials"],
    // RFC 8414 §2: REQUIRED. There is no authorization endpoint, so no response type.
    response_types_supported: [],
    scopes_supported: [...scopes],
    introspection_endpoint: endpoints.introspection,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint: endpoints.revocation,
    revocation_endpoint_auth_methods_supported: authMethods,
  };
}
