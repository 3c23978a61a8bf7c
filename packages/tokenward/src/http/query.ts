// Shared by every request that has none: most requests allocate nothing here.
const NONE: readonly string[] = Object.freeze([]);
/** No tokens: what adapters pass for a source they do not read (one frozen list, not an array per request). */
export const NO_TOKENS: readonly string[] = NONE;

/** `access_token` query parameters of a request URL (path and query), parsed only when one may be there. */
export function queryTokens(url: string | undefined): readonly string[] {
  if (url === undefined || !url.includes("access_token")) return NONE;
  const query = url.indexOf("?");
  if (query === -1) return NONE;
  return new URLSearchParams(url.slice(query + 1)).getAll("access_token");
}

/** `access_token` fields of a parsed form body, if the framework parsed one into an object. */
export function bodyTokens(body: unknown): readonly string[] {
  if (typeof body !== "object" || body === null || !Object.hasOwn(body, "access_token")) return NONE;
  const value = (body as Record<string, unknown>).access_token;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
}

/**
 * `access_token` fields of a body the framework parsed, only when the request
 * is form-encoded (RFC 6750 §2.2): a JSON body's `access_token` is the
 * application's data (say, a third-party token to store), not a credential.
 */
export function formBodyTokens(contentType: string | undefined, body: unknown): readonly string[] {
  if (contentType === undefined || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return NONE;
  return bodyTokens(body);
}

/** What authorizationHeaders needs of a node:http request (or a look-alike: light-my-request, hand-made test requests). */
export interface NodeRequestHeaders {
  readonly rawHeaders?: readonly string[];
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
}

/**
 * Every Authorization header of a node:http request, in order. Node keeps
 * only the first in `req.headers`; `rawHeaders` (name, value, name, value…)
 * keeps them all, so two credentials can be refused (RFC 6750 §3.1). Read
 * from `rawHeaders` directly: `headersDistinct` would build an array for
 * every header of the request, on every request (and `req.headers`, which
 * Node also builds on first use, may not be needed by the framework at all).
 * For look-alike requests without `rawHeaders`, `headers.authorization` of
 * the request (or of `fallback`, the framework's request) is read instead.
 */
export function authorizationHeaders(message: NodeRequestHeaders, fallback?: { readonly headers?: Readonly<Record<string, unknown>> }): readonly string[] {
  const raw = message.rawHeaders;
  if (!Array.isArray(raw)) {
    const value = (fallback ?? (message as { headers?: Readonly<Record<string, unknown>> })).headers?.authorization;
    return message.headersDistinct?.authorization ?? headerValues(typeof value === "string" || Array.isArray(value) ? value : undefined);
  }
  let found: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 13 && (name === "authorization" || name === "Authorization" || name.toLowerCase() === "authorization")) {
      found ??= [];
      found.push(raw[i + 1] as string);
    }
  }
  return found ?? NONE;
}

/** Header values as a list, whatever shape the framework keeps them in. */
export function headerValues(value: string | readonly string[] | null | undefined): readonly string[] {
  if (value === undefined || value === null) return NONE;
  return typeof value === "string" ? [value] : value;
}

/** The path of a request URL (path and query) without its query string, which may hold a token and must never reach a log. */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The Authorization headers of a fetch-style Request. Where a Node bridge
 * passes the node:http request along (@hono/node-server puts it in `env` as
 * `incoming`), its raw headers are read directly, which spares building a
 * Headers object (and Node's header object) for one value; elsewhere the
 * Headers API, which joins repeated headers with ", " (then refused by the
 * bearer syntax check as two credentials).
 */
export function fetchAuthorization(request: Request, env: unknown): readonly string[] {
  const incoming = typeof env === "object" && env !== null ? (env as { incoming?: NodeRequestHeaders }).incoming : undefined;
  if (incoming !== undefined && Array.isArray(incoming.rawHeaders)) return authorizationHeaders(incoming);
  return headerValues(request.headers.get("authorization"));
}
