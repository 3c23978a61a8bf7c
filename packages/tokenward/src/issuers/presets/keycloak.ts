import { ConfigError } from "../../errors/config-error.js";
import type { IssuerPolicy } from "../../verifier/types.js";
import { type PresetExtras, required } from "./shared.js";

export interface KeycloakOptions extends PresetExtras {
  /** Where Keycloak is served, e.g. `https://sso.example.com` (add `/auth` for Keycloak 16 and older). */
  readonly baseUrl: string;
  readonly realm: string;
  readonly audience: string | readonly string[];
  /** Also read client roles from `resource_access.<clientId>.roles`. */
  readonly clientId?: string;
}

/**
 * Keycloak: `iss` is `<baseUrl>/realms/<realm>`, keys at
 * `/protocol/openid-connect/certs`. Realm roles come from
 * `realm_access.roles`; client roles from `resource_access.<clientId>.roles`
 * when `clientId` is set. Keycloak puts `account` in `aud` unless an audience
 * mapper adds your API: configure one, then use that audience here.
 */
export function keycloak(options: KeycloakOptions): IssuerPolicy {
  const { baseUrl, realm, clientId, ...extras } = options;
  let url: URL;
  try {
    url = new URL(required("keycloak.baseUrl", baseUrl));
  } catch {
    throw new ConfigError("keycloak.baseUrl", `${JSON.stringify(baseUrl)} is not an absolute URL`);
  }
  if (url.search !== "" || url.hash !== "") throw new ConfigError("keycloak.baseUrl", "must not have a query or fragment");
  if (typeof realm !== "string" || realm === "" || realm.includes("/")) throw new ConfigError("keycloak.realm", "must be the realm name");
  const issuer = `${url.origin}${url.pathname.replace(/\/+$/, "")}/realms/${encodeURIComponent(realm)}`;
  // Left out when empty: the verifier refuses an empty list, and without
  // clientId there is nothing to add to the user's own.
  const clients = [...(extras.resourceAccessClients ?? []), ...(clientId === undefined ? [] : [clientId])];
  return {
    name: `Keycloak ${realm}`,
    ...extras,
    issuer,
    jwksUri: `${issuer}/protocol/openid-connect/certs`,
    audience: required("keycloak.audience", options.audience),
    ...(clients.length === 0 ? {} : { resourceAccessClients: clients }),
  };
}
