import { ConfigError } from "../../errors/config-error.js";
import { show } from "../../errors/hints.js";
import { TokenError } from "../../errors/token-error.js";
import type { IssuerPolicy } from "../../verifier/types.js";
import { chainChecks, type PresetExtras, required } from "./shared.js";

export interface EntraOptions extends PresetExtras {
  /**
   * The tenant id (a GUID), or `common` / `organizations` / `consumers`.
   * `common` and `organizations` accept several tenants: list them in
   * `allowedTenants` (or, knowingly, `dangerouslyAcceptAnyTenant`).
   */
  readonly tenant: string;
  /** Your API: v2.0 tokens carry the application (client) id, v1.0 tokens its App ID URI (api://…). */
  readonly audience: string | readonly string[];
  /** Token version(s) accepted (the app's accessTokenAcceptedVersion). Default 2. */
  readonly version?: 1 | 2 | readonly (1 | 2)[];
  /** `global` (default), `usgov` (Azure Government) or `china` (operated by 21Vianet). */
  readonly cloud?: "global" | "usgov" | "china";
  /** For `common` / `organizations`: the tenant ids allowed in. */
  readonly allowedTenants?: readonly string[];
}

// The Microsoft account (personal accounts) tenant.
const CONSUMERS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Per cloud: the sign-in host (v2.0 issuer and keys), the v1.0 issuer host,
// and other hosts that issue v2.0 tokens with the same keys. China's
// authority moved to login.partner.microsoftonline.cn, whose metadata names
// that host in `iss`, while login.chinacloudapi.cn still serves.
const CLOUDS = {
  global: { login: "login.microsoftonline.com", sts: "sts.windows.net", aliases: [] },
  usgov: { login: "login.microsoftonline.us", sts: "sts.windows.net", aliases: [] },
  china: { login: "login.chinacloudapi.cn", sts: "sts.chinacloudapi.cn", aliases: ["login.partner.microsoftonline.cn"] },
} as const;

/**
 * Microsoft Entra ID. v2.0 tokens: `iss` `https://<login>/<tid>/v2.0`, keys at
 * `/<tenant>/discovery/v2.0/keys`. v1.0 tokens: `iss` `https://<sts>/<tid>/`,
 * keys at `/<tenant>/discovery/keys`. For `common` and `organizations` the
 * issuer is the `{tenantid}` template Entra's own metadata advertises; the
 * token's `tid` must equal the tenant in `iss` and be allowed, and each
 * key's published `issuer` must agree with the token's.
 */
export function entra(options: EntraOptions): IssuerPolicy[] {
  const { tenant, version = 2, cloud = "global", allowedTenants, dangerouslyAcceptAnyTenant, ...extras } = options;
  const hosts = CLOUDS[cloud];
  if (hosts === undefined) throw new ConfigError("entra.cloud", 'must be "global", "usgov" or "china"');
  const versions = typeof version === "number" ? [version] : [...version];
  if (versions.length === 0 || !versions.every((v) => v === 1 || v === 2)) throw new ConfigError("entra.version", "must be 1, 2 or [1, 2]");
  const audience = required("entra.audience", options.audience);
  if (typeof tenant !== "string" || tenant === "")
    throw new ConfigError("entra.tenant", "is required: the tenant id (a GUID), or common / organizations / consumers");

  const multi = tenant === "common" || tenant === "organizations";
  if (!multi && tenant !== "consumers" && !GUID.test(tenant)) {
    if (GUID.test(tenant.toLowerCase())) {
      throw new ConfigError(
        "entra.tenant",
        `${show(tenant)}: tokens carry the tenant id in lowercase, and issuers are compared exactly; use ${show(tenant.toLowerCase())}`,
      );
    }
    throw new ConfigError(
      "entra.tenant",
      `${show(tenant)}: tokens carry the tenant id (a lowercase GUID) in iss, not a domain name; copy it from the tenant's Overview page`,
    );
  }
  if (!multi && (allowedTenants !== undefined || dangerouslyAcceptAnyTenant !== undefined)) {
    throw new ConfigError("entra.allowedTenants", "applies to tenant common or organizations only");
  }
  if (tenant === "consumers" && versions.includes(1)) throw new ConfigError("entra.version", "personal Microsoft accounts (consumers) get v2.0 tokens only");

  const segment = multi ? "{tenantid}" : tenant === "consumers" ? CONSUMERS_TENANT : tenant;
  const keysTenant = multi ? "common" : tenant;
  const tenantPolicy = multi
    ? dangerouslyAcceptAnyTenant === true
      ? { dangerouslyAcceptAnyTenant: true }
      : { tenants: required("entra.allowedTenants", allowedTenants) }
    : {};
  // `organizations` means work and school accounts: never the personal-account tenant.
  const check =
    tenant === "organizations"
      ? chainChecks(({ claims }) => {
          if (claims.tid === CONSUMERS_TENANT)
            throw new TokenError("tenant_not_allowed", {
              hint: "a personal Microsoft account token; the API is configured for organizations (work and school accounts) only",
            });
          return true;
        }, extras.check)
      : extras.check;

  const issuers = versions.flatMap((v): { v: 1 | 2; host: string; issuer: string }[] =>
    v === 2
      ? [hosts.login, ...hosts.aliases].map((host) => ({ v, host, issuer: `https://${host}/${segment}/v2.0` }))
      : [{ v, host: hosts.sts, issuer: `https://${hosts.sts}/${segment}/` }],
  );
  return issuers.map(({ v, host, issuer }) => {
    const jwksUri = v === 2 ? `https://${hosts.login}/${keysTenant}/discovery/v2.0/keys` : `https://${hosts.login}/${keysTenant}/discovery/keys`;
    return {
      name: `Entra ${tenant} v${v}.0${cloud === "global" ? "" : ` (${cloud}${host === hosts.login || v === 1 ? "" : `, ${host}`})`}`,
      ...extras,
      ...tenantPolicy,
      issuer,
      jwksUri,
      audience,
      ...(check === undefined ? {} : { check }),
    };
  });
}
