// What the metadata says about client authentication (RFC 8414 §2:
// token_endpoint_auth_methods_supported and
// token_endpoint_auth_signing_alg_values_supported).

import { type AsymmetricAlgorithm, DEFAULT_ALGORITHMS } from "tokenward";
import type { ClientAuthMethod, ResolvedConfig } from "../config/types.js";

const ORDER: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

/**
 * The JWS algorithms accepted for private_key_jwt client assertions: the
 * asymmetric ones only. RFC 8414 §2: "none" MUST NOT be listed, and HMAC
 * (client_secret_jwt) is not offered, as it would need the plain secret here.
 * The same list as tokenward's default allow-list, which verifies the assertions.
 */
export const CLIENT_ASSERTION_SIGNING_ALGORITHMS: readonly AsymmetricAlgorithm[] = DEFAULT_ALGORITHMS;

/** The methods at least one configured client may use, in a stable order. */
export function clientAuthMethodsSupported(config: ResolvedConfig): ClientAuthMethod[] {
  const used = new Set<ClientAuthMethod>();
  for (const client of config.clients.values()) for (const method of client.authMethods) used.add(method);
  return ORDER.filter((method) => used.has(method));
}
