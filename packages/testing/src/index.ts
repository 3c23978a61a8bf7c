// The public entry of `@tokenward/testing`: re-exports only.

export type { MockIssuer, MockIssuerPolicy, OpaqueOptions } from "./create-mock-issuer.js";
export { createMockIssuer } from "./create-mock-issuer.js";
export type { MockIssuerErrorCode } from "./errors.js";
export { MockIssuerError } from "./errors.js";
export type { InvalidTokenKind } from "./invalid-tokens.js";
export { INVALID_TOKENS } from "./invalid-tokens.js";
export type { JwksDocument, RotateOptions } from "./key-ring.js";
export type { MockAlgorithm, MockKeyInput, PublishedJwk } from "./keys.js";
export { MOCK_ALGORITHMS } from "./keys.js";
export type { MintClaims, MintOptions } from "./mint.js";
export type { MockClient, MockIssuerOptions } from "./options.js";
export type { TokenPreset } from "./presets.js";
export { EXAMPLE_SUBJECTS, TOKEN_PRESETS } from "./presets.js";
export type { Fault, MockEndpoint } from "./server/faults.js";
export { MOCK_ENDPOINTS } from "./server/faults.js";
export type { MockEndpoints } from "./server/metadata.js";
