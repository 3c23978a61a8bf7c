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

/** Which metadata member a locator reads, and how its failures are reported. */
export interface MetadataMember {
  /** The member, e.g. `jwks_uri` (RFC 8414 §2) or `introspection_endpoint`. */
  readonly name: string;
  /** The option that replaces discovery, for hints: `jwksUri`, `introspection.endpoint`. */
  readonly option: string;
  /** The error every failure becomes, carrying the hint. */
  readonly fail: (hint: string) => TokenError;
}

const JWKS_URI: MetadataMember = { name: "jwks_uri", option: "jwksUri", fail: unavailable };

/** Resolves the JWKS URL through discovery, once a day at most, never from anything in a token. */
export function createDiscoveryLocator(options: DiscoveryOptions): JwksLocator {
  return createMetadataLocator(options, JWKS_URI);
}

/**
 * Resolves one URL of the issuer's metadata (OIDC Discovery §4, RFC 8414
 * §3): the first metadata URL that answers a JSON object decides. Its
 * `issuer` must equal the configured one exactly and the URL must pass the
 * fetch policy (https, or http on loopback). Remembered for a day; never
 * taken from anything in a token.
 */
export function createMetadataLocator(options: DiscoveryOptions, member: MetadataMember): () => Promise<string> {
  const now = options.now ?? Date.now;
  const { fail, name } = member;
  let found: { url: string; at: number } | undefined;
  return async () => {
    if (found !== undefined && now() - found.at < REDISCOVER_AFTER_MS) return found.url;
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
      const metadata = body as Record<string, unknown>;
      if (metadata.issuer !== options.issuer) {
        const why = typeof metadata.issuer === "string" ? nearMiss(metadata.issuer, options.issuer, "the metadata") : undefined;
        throw fail(
          `The discovery document ${url} names issuer ${show(metadata.issuer)}, but the configured issuer is ${show(options.issuer)}${why === undefined ? "" : ` (it ${why})`}. They must be equal byte for byte (OpenID Connect Discovery §4.3, RFC 8414 §3.3): configure the issuer exactly as the metadata and the tokens spell it.`,
        );
      }
      const value = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
      if (typeof value !== "string") throw fail(`The discovery document ${url} has no ${name}; configure ${member.option} for ${options.issuer}.`);
      const problem = fetchUrlProblem(value, options.allowInsecureHttp);
      if (problem !== undefined) throw fail(`The discovery document ${url} gives ${name} ${show(value)}, which is refused: ${problem}.`);
      found = { url: value, at: now() };
      return value;
    }
    throw fail(
      `Discovery for ${options.issuer} failed: ${problems.join("; ")}. Configure ${member.option}, or check that the issuer URL is right and reachable.`,
    );
  };
}
