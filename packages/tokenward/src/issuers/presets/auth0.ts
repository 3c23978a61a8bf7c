import type { IssuerPolicy } from "../../verifier/types.js";
import { hostOf, type PresetExtras, required } from "./shared.js";

export interface Auth0Options extends PresetExtras {
  /** The tenant domain: your-tenant.auth0.com, a regional your-tenant.eu.auth0.com, or a custom domain. */
  readonly domain: string;
  /** The API identifier configured in Auth0. */
  readonly audience: string | readonly string[];
}

/**
 * Auth0: `iss` is `https://<domain>/` with its trailing slash, keys at
 * `/.well-known/jwks.json`. RBAC permissions arrive in `permissions`; roles
 * need a namespaced claim, e.g. `roleClaims: ["https://your-app.example/roles"]`.
 */
export function auth0(options: Auth0Options): IssuerPolicy {
  const { domain, ...extras } = options;
  const host = hostOf("auth0.domain", domain);
  return {
    name: `Auth0 ${host}`,
    ...extras,
    issuer: `https://${host}/`,
    jwksUri: `https://${host}/.well-known/jwks.json`,
    audience: required("auth0.audience", options.audience),
  };
}
