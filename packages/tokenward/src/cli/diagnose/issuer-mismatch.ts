import { nearMiss, show } from "../../errors/hints.js";

export interface IssuerMismatch {
  /** How `named` differs from the configured issuer. */
  readonly why: string;
  /** What to configure, or what to check first. */
  readonly fix: string;
}

function hostOf(value: string): string | undefined {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Why an issuer named by a metadata document (or a token) is not the
 * configured one, and what to configure. Issuers are compared byte for byte
 * (OpenID Connect Discovery §4.3, RFC 8414 §3.3, RFC 7519 §4.1.1), so the
 * fix is always to configure the exact string; the explanation says which of
 * the usual slips it is, and warns when the host differs, as then the other
 * string belongs to someone else and must not be trusted blindly.
 */
export function explainIssuerMismatch(named: unknown, configured: string, namedBy: string, kind: "metadata" | "token"): IssuerMismatch {
  if (typeof named !== "string" || named === "") {
    if (kind === "token") {
      return {
        why: `${namedBy} has no usable iss (it is ${show(named)})`,
        fix: "tokens are trusted by their exact iss (RFC 7519 §4.1.1, RFC 9068 §2.2): the issuer must put its identifier there",
      };
    }
    return {
      why: `${namedBy} has no issuer (it is ${show(named)})`,
      fix: "the issuer member is REQUIRED (RFC 8414 §2, OpenID Connect Discovery §3); fix the server, or configure jwksUri explicitly",
    };
  }
  const slip = nearMiss(named, configured, kind === "token" ? "the token" : "the metadata");
  if (slip !== undefined) {
    const scheme = /scheme/.test(slip)
      ? ` If the issuer is reached over ${configured.split(":")[0]} but announces ${named.split(":")[0]} (a proxy in front of it), also set jwksUri, or fix the URL the issuer announces.`
      : "";
    return {
      why: `${namedBy} names ${show(named)}, which ${slip}`,
      fix: `configure the issuer as ${show(named)}, exactly as the issuer spells it in its metadata and in the iss of its tokens.${scheme}`,
    };
  }
  const namedHost = hostOf(named);
  const configuredHost = hostOf(configured);
  if (namedHost !== undefined && configuredHost !== undefined && namedHost !== configuredHost) {
    return {
      why: `${namedBy} names ${show(named)}, on another host (${namedHost}, not ${configuredHost})`,
      fix:
        kind === "token"
          ? `the token comes from another issuer: check which issuer, tenant or environment issued it, and configure ${show(named)} only if you mean to trust that issuer`
          : `this is another issuer's document: check the URL (a wrong tenant, region or domain, or a proxy that rewrites the Host), and configure ${show(named)} only if that is really the issuer of your tokens`,
    };
  }
  return {
    why: `${namedBy} names ${show(named)}, not ${show(configured)}`,
    fix: `configure the issuer as ${show(named)} if that is the issuer of your tokens (compare with their iss: tokenward decode), or check the URL`,
  };
}
