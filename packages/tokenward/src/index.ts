// The public entry of `tokenward`: re-exports only.

export type { Guard, MatchOptions } from "./authz/guards.js";
export { allOf, anyOf, authorize, requireClaim, requireClaimIncludes, requirePermissions, requireRoles, requireScopes } from "./authz/guards.js";
export type { CacheOptions } from "./cache/options.js";
export type { CacheStats } from "./cache/verified-token-cache.js";
export type { Environment } from "./config/from-env.js";
export { fromEnv } from "./config/from-env.js";
export type { TokenErrorCode } from "./errors/codes.js";
export { TOKEN_ERROR_CODES, TOKEN_ERRORS } from "./errors/codes.js";
export { ConfigError } from "./errors/config-error.js";
export type { TokenErrorOptions } from "./errors/token-error.js";
export { TokenError } from "./errors/token-error.js";
export type { Auth0Options } from "./issuers/presets/auth0.js";
export { auth0 } from "./issuers/presets/auth0.js";
export type { CognitoOptions } from "./issuers/presets/cognito.js";
export { cognito } from "./issuers/presets/cognito.js";
export type { EntraOptions } from "./issuers/presets/entra.js";
export { entra } from "./issuers/presets/entra.js";
export type { GoogleOptions } from "./issuers/presets/google.js";
export { google } from "./issuers/presets/google.js";
export type { KeycloakOptions } from "./issuers/presets/keycloak.js";
export { keycloak } from "./issuers/presets/keycloak.js";
export type { OidcOptions } from "./issuers/presets/oidc.js";
export { oidc } from "./issuers/presets/oidc.js";
export type { OktaOptions } from "./issuers/presets/okta.js";
export { okta } from "./issuers/presets/okta.js";
export type { FetchedJson, FetchLimits, JsonFetcher } from "./jwks/fetch-json.js";
export type { JwksOptions } from "./jwks/options.js";
export type { Algorithm, AsymmetricAlgorithm, SymmetricAlgorithm } from "./jws/algorithms.js";
export { DEFAULT_ALGORITHMS } from "./jws/algorithms.js";
export type { DecodedToken } from "./jws/decode-unverified.js";
export { decodeUnverified } from "./jws/decode-unverified.js";
export type { KeySourceReport, Verifier } from "./verifier/create-verifier.js";
export { createVerifier } from "./verifier/create-verifier.js";
export type {
  CheckContext,
  ClaimExpectation,
  ClaimPath,
  HmacSecret,
  IntrospectionCacheOptions,
  IntrospectionOptions,
  IssuerInfo,
  IssuerPolicy,
  JwkSet,
  JwsHeader,
  JwtClaims,
  PublicJwk,
  VerifiedToken,
  VerifierOptions,
} from "./verifier/types.js";
