import type { IssuerPolicy } from "../../verifier/types.js";
import { type PresetExtras, required } from "./shared.js";

export interface OidcOptions extends PresetExtras {
  readonly audience?: string | readonly string[];
  /** Skip discovery: the JWKS URL, when you know it. */
  readonly jwksUri?: string;
}

/**
 * Any OpenID Connect or RFC 8414 provider: the JWKS is found through
 * `/.well-known/openid-configuration` (then `/.well-known/oauth-authorization-server`),
 * whose `issuer` must equal `issuerUrl` exactly.
 */
export function oidc(issuerUrl: string, options: OidcOptions): IssuerPolicy {
  const { jwksUri, ...extras } = options;
  return {
    ...extras,
    issuer: required("oidc(issuerUrl)", issuerUrl),
    ...(jwksUri === undefined ? {} : { jwksUri }),
  };
}
