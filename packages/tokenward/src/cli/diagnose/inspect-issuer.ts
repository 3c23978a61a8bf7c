import { discoveryUrls } from "../../issuers/discovery.js";
import { FetchFailure, type FetchFailureReason, type FetchLimits } from "../../jwks/fetch-json.js";
import { fetchUrlProblem } from "../../jwks/url-policy.js";
import { clockSkew } from "./clock-skew.js";
import { inspectJwks, type JwksReport } from "./inspect-jwks.js";
import { explainIssuerMismatch, type IssuerMismatch } from "./issuer-mismatch.js";
import type { ObservedFetcher } from "./observed-fetcher.js";

export type MetadataKind = "openid-configuration" | "oauth-authorization-server";

export interface MetadataAttempt {
  readonly url: string;
  /** OpenID Connect Discovery 1.0 §4, or RFC 8414 §3.1. */
  readonly kind: MetadataKind;
  /** A JSON object came back. */
  readonly answered: boolean;
  readonly error: string | undefined;
  readonly issuer: unknown;
  readonly jwksUri: unknown;
}

export interface FetchProblem {
  readonly reason: FetchFailureReason | "refused";
  readonly message: string;
  readonly status: number | undefined;
}

export interface JwksInspection {
  readonly source: "discovery" | "url" | "file";
  /** The URL fetched, or the file read; undefined when discovery gave none. */
  readonly location: string | undefined;
  /** Why the JWKS was not had: the URL policy, or the fetch. */
  readonly problem: FetchProblem | undefined;
  readonly report: JwksReport | undefined;
}

export interface IssuerInspection {
  readonly issuer: string;
  /** Whether the issuer is an absolute URL (a non-URL issuer needs explicit keys). */
  readonly issuerIsUrl: boolean;
  /** Why the issuer's metadata may not be fetched (the URL policy), if so. */
  readonly issuerUrlProblem: string | undefined;
  /** Discovery as tried, in tokenward's order; empty when not tried. */
  readonly metadata: readonly MetadataAttempt[];
  /** The document a verifier would use: the first that answered. */
  readonly used: MetadataAttempt | undefined;
  /** Set when the used document names another issuer. */
  readonly mismatch: IssuerMismatch | undefined;
  readonly jwks: JwksInspection;
  /** The server's clock against ours, from a Date header. */
  readonly clock: { readonly skewSeconds: number; readonly url: string } | undefined;
}

export interface InspectIssuerOptions {
  readonly issuer: string;
  /** Keys given explicitly instead of discovered: a URL, or a file's parsed content. */
  readonly jwks?: { readonly url: string } | { readonly file: string; readonly document: unknown };
  readonly allowInsecureHttp: boolean;
  readonly fetcher: ObservedFetcher;
  readonly limits: FetchLimits;
}

function failure(error: unknown): FetchProblem {
  if (error instanceof FetchFailure) return { reason: error.reason, message: error.message, status: error.status };
  return { reason: "network", message: error instanceof Error ? error.message : String(error), status: undefined };
}

async function tryMetadata(url: string, kind: MetadataKind, options: InspectIssuerOptions): Promise<MetadataAttempt> {
  try {
    const { body } = await options.fetcher.fetchJson(url, options.limits);
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return { url, kind, answered: false, error: "the answer is JSON but not an object", issuer: undefined, jwksUri: undefined };
    }
    const metadata = body as Record<string, unknown>;
    const member = (name: string) => (Object.hasOwn(metadata, name) ? metadata[name] : undefined);
    return { url, kind, answered: true, error: undefined, issuer: member("issuer"), jwksUri: member("jwks_uri") };
  } catch (error) {
    return { url, kind, answered: false, error: failure(error).message, issuer: undefined, jwksUri: undefined };
  }
}

async function fetchJwks(source: JwksInspection["source"], url: string, options: InspectIssuerOptions): Promise<JwksInspection> {
  const refused = fetchUrlProblem(url, options.allowInsecureHttp);
  if (refused !== undefined) return { source, location: url, problem: { reason: "refused", message: refused, status: undefined }, report: undefined };
  try {
    const { body } = await options.fetcher.fetchJson(url, options.limits);
    return { source, location: url, problem: undefined, report: inspectJwks(body) };
  } catch (error) {
    return { source, location: url, problem: failure(error), report: undefined };
  }
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Looks at an issuer the way tokenward's verifier does, and keeps
 * everything it saw: both metadata documents (OpenID Connect Discovery
 * first, then RFC 8414 with path insertion, as `discoveryUrls` orders them),
 * which one a verifier would use, whether it names the issuer exactly, the
 * JWKS it points to (or the one given), and the server's clock.
 */
export async function inspectIssuer(options: InspectIssuerOptions): Promise<IssuerInspection> {
  const { issuer } = options;
  const issuerIsUrl = isAbsoluteUrl(issuer);
  const issuerUrlProblem = issuerIsUrl ? fetchUrlProblem(issuer, options.allowInsecureHttp) : `${JSON.stringify(issuer)} is not an absolute URL`;
  let metadata: MetadataAttempt[] = [];
  if (issuerUrlProblem === undefined) {
    const [oidc, rfc8414] = discoveryUrls(issuer) as [string, string];
    metadata = await Promise.all([tryMetadata(oidc, "openid-configuration", options), tryMetadata(rfc8414, "oauth-authorization-server", options)]);
  }
  const used = metadata.find((attempt) => attempt.answered);
  const mismatch =
    used === undefined || used.issuer === issuer ? undefined : explainIssuerMismatch(used.issuer, issuer, `the metadata at ${used.url}`, "metadata");

  let jwks: JwksInspection;
  const given = options.jwks;
  if (given !== undefined && "file" in given) {
    jwks = { source: "file", location: given.file, problem: undefined, report: inspectJwks(given.document) };
  } else if (given !== undefined) {
    jwks = await fetchJwks("url", given.url, options);
  } else if (used !== undefined && typeof used.jwksUri === "string") {
    jwks = await fetchJwks("discovery", used.jwksUri, options);
  } else {
    jwks = { source: "discovery", location: undefined, problem: undefined, report: undefined };
  }

  const candidates = [used?.url, jwks.source === "file" ? undefined : jwks.location, ...metadata.map((attempt) => attempt.url)];
  let clock: IssuerInspection["clock"];
  for (const url of candidates) {
    const answer = url === undefined ? undefined : options.fetcher.answer(url);
    const skewSeconds = answer === undefined ? undefined : clockSkew(answer);
    if (skewSeconds !== undefined && url !== undefined) {
      clock = { skewSeconds, url };
      break;
    }
  }
  return { issuer, issuerIsUrl, issuerUrlProblem, metadata, used, mismatch, jwks, clock };
}
