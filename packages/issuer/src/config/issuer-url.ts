import { isLoopbackHost } from "./loopback.js";

export interface IssuerLocation {
  readonly issuer: string;
  /** The issuer without a trailing slash. */
  readonly base: string;
  /** "" or "/tenant": where the routes are mounted. */
  readonly issuerPath: string;
}

/**
 * RFC 8414 §2: the issuer is "a URL that uses the https scheme and has no
 * query or fragment components". http is accepted on loopback hosts only
 * (CONTRACT.md). The value is kept byte for byte (RFC 8414 §3.3: clients
 * compare it exactly), so it must already be in the form a URL parser
 * writes; otherwise the routes derived from it would not match requests.
 * Returns the location, or why the value is not an issuer.
 */
export function checkIssuer(value: string): IssuerLocation | string {
  const example = "e.g. https://auth.example.com or http://localhost:9000";
  if (value === "") return `must be the issuer URL, ${example}`;
  if (value.trim() !== value) return "has leading or trailing whitespace; tokens carry the issuer byte for byte, so remove it";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not an absolute URL; write the issuer URL, ${example}`;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return "the issuer must be https, or http on a loopback host (localhost, 127.0.0.1 or [::1]); RFC 8414 §2";
  }
  if (value.includes("?")) return "must not have a query (?...); RFC 8414 §2";
  if (value.includes("#")) return "must not have a fragment (#...); RFC 8414 §2";
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@); remove them";
  const normal = url.href;
  if (value !== normal && !(url.pathname === "/" && `${value}/` === normal)) {
    const suggestion = url.pathname === "/" ? normal.slice(0, -1) : normal;
    return `is not in normal URL form (lowercase scheme and host, no default port, no ./ or ../ segments); write ${JSON.stringify(suggestion)}, as tokens and metadata will carry it byte for byte`;
  }
  if (url.pathname.includes("//")) return "has an empty path segment (//); remove the extra slash";
  const base = value.endsWith("/") ? value.slice(0, -1) : value;
  const path = new URL(base).pathname;
  return { issuer: value, base, issuerPath: path === "/" ? "" : path };
}
