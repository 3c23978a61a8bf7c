/** `access_token` query parameters of a request URL (path and query), parsed only when one may be there. */
export function queryTokens(url: string | undefined): string[] {
  if (url === undefined || !url.includes("access_token")) return [];
  const query = url.indexOf("?");
  if (query === -1) return [];
  return new URLSearchParams(url.slice(query + 1)).getAll("access_token");
}

/** `access_token` fields of a parsed form body, if the framework parsed one into an object. */
export function bodyTokens(body: unknown): string[] {
  if (typeof body !== "object" || body === null || !Object.hasOwn(body, "access_token")) return [];
  const value = (body as Record<string, unknown>).access_token;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
}

/**
 * `access_token` fields of a body the framework parsed, only when the request
 * is form-encoded (RFC 6750 §2.2): a JSON body's `access_token` is the
 * application's data (say, a third-party token to store), not a credential.
 */
export function formBodyTokens(contentType: string | undefined, body: unknown): string[] {
  if (contentType === undefined || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return [];
  return bodyTokens(body);
}

/** Header values as a list, whatever shape the framework keeps them in. */
export function headerValues(value: string | readonly string[] | null | undefined): readonly string[] {
  if (value === undefined || value === null) return [];
  return typeof value === "string" ? [value] : value;
}

/** The path of a request URL (path and query) without its query string, which may hold a token and must never reach a log. */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
