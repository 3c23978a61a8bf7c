import { ConfigError } from "../../errors/config-error.js";
import type { IssuerPolicy } from "../../verifier/types.js";

/** Policy fields a preset leaves to you: claim mapping, tolerances, checks, JWKS bounds. */
export type PresetExtras = Partial<Omit<IssuerPolicy, "issuer" | "jwksUri" | "jwks" | "secret" | "discoveryUrl">>;

/**
 * A host name from what users paste: "tenant.auth0.com", "https://tenant.auth0.com/"
 * or with a path. Presets build the exact issuer from it, so the spelling the
 * provider uses in `iss` is produced by code, not retyped by hand.
 */
export function hostOf(field: string, input: unknown): string {
  if (typeof input !== "string" || input.trim() === "") throw new ConfigError(field, "must be a domain name such as your-tenant.auth0.com");
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new ConfigError(field, `${JSON.stringify(input)} is not a domain name`);
  }
  if (url.protocol !== "https:") throw new ConfigError(field, `${JSON.stringify(input)}: the provider is reached over https`);
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") throw new ConfigError(field, `give the domain only (${url.host}), without a path`);
  return url.host;
}

export function required<T>(field: string, value: T | undefined): T {
  if (value === undefined || value === null || value === "") throw new ConfigError(field, "is required");
  return value;
}

/** Runs the preset's own check, then the user's. */
export function chainChecks(first: NonNullable<IssuerPolicy["check"]>, second: IssuerPolicy["check"]): NonNullable<IssuerPolicy["check"]> {
  if (second === undefined) return first;
  return async (token) => {
    const verdict = await first(token);
    if (verdict === false || typeof verdict === "string") return verdict;
    return second(token);
  };
}
