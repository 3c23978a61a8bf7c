import type { ResolvedConfig } from "../config/types.js";
import { OAuthError } from "../errors/oauth-error.js";

/**
 * The answer to every failed client authentication: invalid_client, 401,
 * and one generic description whatever the cause (unknown client, wrong
 * secret, bad assertion, method not allowed), so a caller cannot tell which
 * client ids exist. The real reason goes to `detail`, for the operator.
 *
 * RFC 6749 §5.2 requires 401 with WWW-Authenticate when the client used the
 * Authorization header; RFC 9110 §15.5.2 requires WWW-Authenticate on every
 * 401, so the challenge is sent whichever way the client authenticated.
 */
export function clientAuthFailed(config: ResolvedConfig, detail: string, description = "client authentication failed"): OAuthError {
  const realm = config.issuer.replace(/["\\]/g, "\\$&");
  return new OAuthError("invalid_client", description, {
    status: 401,
    headers: { "WWW-Authenticate": `Basic realm="${realm}", charset="UTF-8"` },
    detail,
  });
}

/** A client id as it may appear in an operator message: quoted, bounded, control characters escaped. */
export function shown(clientId: string): string {
  return JSON.stringify(clientId.length > 100 ? `${clientId.slice(0, 100)}...` : clientId);
}
