// The public entry of @tokenward/issuer: re-exports only.

export { IssuerConfigError, resolveConfig } from "./config/resolve.js";
export type {
  ClaimsHookContext,
  ClientAuthMethod,
  ClientConfig,
  IdentityProviderConfig,
  IdentityProviderUserConfig,
  IdJagGrantConfig,
  IdJagPolicyConfig,
  IssuerConfig,
  IssuerEvent,
  IssuerOptions,
  JsonValue,
  RelyingPartyConfig,
  ResolvedClient,
  ResolvedConfig,
  ResolvedIdentityProvider,
  ResolvedIdJagPolicy,
  ResolvedIdpUser,
  ResolvedTrustedIdentityProvider,
  SigningAlgorithm,
  SubjectMappingConfig,
  TokenProfile,
  TrustedIdentityProviderConfig,
} from "./config/types.js";
export type { CreateIssuerOptions, Issuer } from "./create-issuer.js";
export { createIssuer } from "./create-issuer.js";
export type { OAuthErrorCode } from "./errors/oauth-error.js";
export { OAuthError } from "./errors/oauth-error.js";
export type { KeyManager, PublicJwks } from "./keys/types.js";
export type { ListenOptions, RunningServer } from "./node/listen.js";
export { hashSecret, verifySecret } from "./secrets/hash.js";
export { createMemoryStore } from "./store/memory.js";
export { createRedisStore } from "./store/redis.js";
export type { IssuerStore, RateLimitResult } from "./store/types.js";
export { StoreUnavailableError } from "./store/types.js";
