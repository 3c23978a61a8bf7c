import { TokenError } from "../errors/token-error.js";
import { B64TOKEN } from "../util/b64token.js";

/** Where a request may carry its token, as the adapter found them. */
export interface BearerSources {
  /** Every Authorization header of the request, in order. */
  readonly authorization: readonly string[];
  /** Every `access_token` query parameter (RFC 6750 §2.3). */
  readonly queryTokens: readonly string[];
  /** Every `access_token` field of a form body the framework already parsed (RFC 6750 §2.2). */
  readonly bodyTokens: readonly string[];
}

export interface BearerOptions {
  /** Accept `?access_token=` (RFC 6750 §2.3). Off: URLs end up in logs, histories and Referer headers. */
  readonly allowQueryToken: boolean;
  /** Accept `access_token` in a form-encoded body (RFC 6750 §2.2). */
  readonly allowBodyToken: boolean;
}

const SCHEME = /^bearer$/i;

const BEARER_LOWER = "bearer";

/** Whether `value` starts with the scheme "Bearer", in any case (RFC 9110 §11.1: schemes are case-insensitive). */
function isBearer(value: string): boolean {
  if (value.startsWith("Bearer")) return true;
  for (let i = 0; i < 6; i++) if ((value.charCodeAt(i) | 0x20) !== BEARER_LOWER.charCodeAt(i)) return false;
  return true;
}

function invalid(hint: string): TokenError {
  return new TokenError("invalid_request", { hint });
}

/**
 * The bearer token of a request (RFC 6750 §2), or undefined when it carries
 * none. A request may use one method, once: two Authorization headers, a
 * header and a query parameter, or any other pair is `invalid_request`
 * (§3.1), as is a token in the URL unless that was explicitly allowed.
 */
export function extractBearer(sources: BearerSources, options: BearerOptions, checkSyntax = true): string | undefined {
  const authorization = sources.authorization;
  // The usual request: one header, "Bearer " then the token, nothing in the
  // query or body. Decided here without a regex or a list; anything else
  // (another scheme, several spaces, more sources) takes the general path.
  if (authorization.length === 1 && sources.queryTokens.length === 0 && sources.bodyTokens.length === 0) {
    const value = authorization[0] as string;
    if (value.length > 7 && value.charCodeAt(6) === 32 && value.charCodeAt(7) !== 32 && isBearer(value)) {
      const token = value.slice(7);
      if (checkSyntax && !B64TOKEN.test(token)) throw headerSyntax();
      return token;
    }
  }
  const found: string[] = [];
  let headers = 0;
  for (const value of sources.authorization) {
    // The scheme ends at the first space or tab; only Bearer credentials count.
    const end = value.search(/[ \t]/);
    if (!SCHEME.test(end === -1 ? value : value.slice(0, end))) continue;
    if (++headers > 1) throw invalid("the request has two Authorization: Bearer headers; send one (RFC 6750 §3.1)");
    // credentials = auth-scheme 1*SP token68 (RFC 9110 §11.4, RFC 6750 §2.1)
    const rest = end === -1 ? "" : value.slice(end);
    // Usually exactly one space: then no regex is needed to strip it.
    const token = rest.charCodeAt(1) === 32 ? rest.replace(/^ +/, "") : rest.slice(1);
    if (token === "" || rest[0] !== " ") throw invalid('the Authorization header says "Bearer" but carries no token after a space');
    if (checkSyntax && !B64TOKEN.test(token)) throw headerSyntax();
    found.push(token);
  }
  if (sources.queryTokens.length > 0) {
    if (!options.allowQueryToken) {
      throw invalid(
        "the token came in the URL (?access_token=), which this API refuses: URLs end up in logs and Referer headers. Send it in the Authorization header (RFC 6750 §2.3, §5.3)",
      );
    }
    found.push(...sources.queryTokens);
  }
  if (sources.bodyTokens.length > 0) {
    if (!options.allowBodyToken)
      throw invalid("the token came in the request body (access_token), which this API does not accept; send it in the Authorization header");
    found.push(...sources.bodyTokens);
  }
  if (found.length > 1) throw invalid("the request carries more than one access token (header, query or body); use exactly one method (RFC 6750 §3.1)");
  const token = found[0];
  // The same syntax wherever the token came from (RFC 6750 §2.1-2.3); a
  // header's token was checked above (a kilobyte-long scan, not done twice).
  if (checkSyntax && token !== undefined && headers === 0 && !B64TOKEN.test(token)) throw parameterSyntax();
  return token;
}

const headerSyntax = () =>
  invalid("the Authorization header's bearer token has characters RFC 6750 §2.1 does not allow (spaces, commas, quotes): send exactly one token");
const parameterSyntax = () => invalid("the access_token parameter is empty or has characters a bearer token cannot have (RFC 6750 §2.1)");

/**
 * The invalid_request a token of the wrong syntax deserves (RFC 6750 §2.1),
 * for callers that deferred the check (`extractBearer(…, false)`): a token
 * tokenward's verifier accepts is made of base64url characters and dots, so
 * the kilobyte-long scan is only needed once verification has failed.
 */
export function syntaxError(token: string, sources: BearerSources): TokenError | undefined {
  if (B64TOKEN.test(token)) return undefined;
  return sources.queryTokens.length > 0 || sources.bodyTokens.length > 0 ? parameterSyntax() : headerSyntax();
}
