import { ConfigError } from "../../errors/config-error.js";
import type { IssuerPolicy } from "../../verifier/types.js";
import { hostOf, type PresetExtras, required } from "./shared.js";

export interface OktaOptions extends PresetExtras {
  /** your-domain.okta.com, a preview your-domain.oktapreview.com, or a custom domain. */
  readonly domain: string;
  /** `default` (the default), a custom server id such as `aus1234567890abcde`, or `null` for the org authorization server. */
  readonly authorizationServerId?: string | null;
  /** The audience configured on the authorization server, e.g. `api://default`. */
  readonly audience: string | readonly string[];
}

/**
 * Okta: custom authorization servers issue `https://<domain>/oauth2/<id>`
 * with keys at `/oauth2/<id>/v1/keys`; the org server issues
 * `https://<domain>` with keys at `/oauth2/v1/keys`. Scopes come in `scp`
 * (an array), groups in `groups`.
 */
export function okta(options: OktaOptions): IssuerPolicy {
  const { domain, authorizationServerId = "default", ...extras } = options;
  const host = hostOf("okta.domain", domain);
  if (authorizationServerId !== null && (typeof authorizationServerId !== "string" || !/^[A-Za-z0-9_-]+$/.test(authorizationServerId))) {
    throw new ConfigError("okta.authorizationServerId", `must be "default", a server id such as aus1234567890abcde, or null for the org server`);
  }
  const base = authorizationServerId === null ? `https://${host}` : `https://${host}/oauth2/${authorizationServerId}`;
  return {
    name: `Okta ${host}${authorizationServerId === null ? " (org)" : ` ${authorizationServerId}`}`,
    ...extras,
    issuer: base,
    jwksUri: authorizationServerId === null ? `https://${host}/oauth2/v1/keys` : `${base}/v1/keys`,
    audience: required("okta.audience", options.audience),
  };
}
