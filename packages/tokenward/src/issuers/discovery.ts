import { nearMiss, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import { FetchFailure, type FetchLimits, type JsonFetcher } from "../jwks/fetch-json.js";
import type { JwksLocator } from "../jwks/remote-key-source.js";
import { fetchUrlProblem } from "../jwks/url-policy.js";

/** How long a discovered `jwks_uri` is trusted before discovery runs again. */
const REDISCOVER_AFTER_MS = 24 * 3_600_000;

/**
 * The metadata URLs of an issuer, in the order tried: OpenID Connect
 * Discovery 1.0 §4 (append, after removing a terminating "/"), then RFC 8414
 * §3.1 (insert the well-known segment between host and path).
 */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, "");
  const origin = `${url.protocol}//${url.host}`;
  return [`${origin}${path}/.well-known/openid-configuration`, `${origin}/.well-known/oauth-authorization-server${path}`];
}

export interface DiscoveryOptions {
  /** The issuer the metadata must name, exactly (OIDC Discovery §4.3, RFC 8414 §3.3). */
  readonly issuer: string;
  /** Metadata URLs to try; by default `discoveryUrls(issuer)`. */
  readonly urls: readonly string[];
  readonly fetchJson: JsonFetcher;
  readonly limits: FetchLimits;
  readonly allowInsecureHttp: boolean;
  readonly now?: () => number;
}

function unavailable(hint: string): TokenError {
  return new TokenError("jwks_unavailable", { hint, retryAfter: 5 });
}

/** Resolves the JWKS URL through discovery, once a day at most, never from anything in a token. */
export function createDiscoveryLocator(options: DiscoveryOptions): JwksLocator {
  const now = options.now ?? Date.now;
  let found: { jwksUri: string; at: number } | undefined;
  return async () => {
    if (found !== undefined && now() - found.at < REDISCOVER_AFTER_MS) return found.jwksUri;
    const problems: string[] = [];
    for (const url of options.urls) {
      let body: unknown;
      try {
        body = (await options.fetchJson(url, options.limits)).body;
      } catch (error) {
        problems.push(`${url}: ${error instanceof FetchFailure ? error.message : String(error)}`);
        continue;
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        problems.push(`${url}: the metadata is not a JSON object`);
        continue;
      }
      const metadata = body as { issuer?: unknown; jwks_uri?: unknown };
      if (metadata.issuer !== options.issuer) {
        const why = typeof metadata.issuer === "string" ? nearMiss(metadata.issuer, options.issuer, "the metadata") : undefined;
        throw unavailable(
          `The discovery document ${url} names issuer ${show(metadata.issuer)}, but the configured issuer is ${show(options.issuer)}${why === undefined ? "" : ` (it ${why})`}. They must be equal byte for byte (OpenID Connect Discovery §4.3, RFC 8414 §3.3): configure the issuer exactly as the metadata and the tokens spell it.`,
        );
      }
      if (typeof metadata.jwks_uri !== "string") throw unavailable(`The discovery document ${url} has no jwks_uri; configure jwksUri for ${options.issuer}.`);
      const problem = fetchUrlProblem(metadata.jwks_uri, options.allowInsecureHttp);
      if (problem !== undefined) throw unavailable(`The discovery document ${url} gives jwks_uri ${show(metadata.jwks_uri)}, which is refused: ${problem}.`);
      found = { jwksUri: metadata.jwks_uri, at: now() };
      return metadata.jwks_uri;
    }
    throw unavailable(
      `Discovery for ${options.issuer} failed: ${problems.join("; ")}. Configure jwksUri, or check that the issuer URL is right and reachable.`,
    );
  };
}
