/** An HTTP answer before it is sent, so that a fault can delay, pad or cut it. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** RFC 6749 §5.1: token endpoint answers carry Cache-Control: no-store and Pragma: no-cache. */
export function noStore(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return json(status, body, { "cache-control": "no-store", pragma: "no-cache", ...headers });
}

/** RFC 6749 §5.2: `error` and a human-readable `error_description`. */
export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): Answer {
  return noStore(status, { error, error_description: description }, headers);
}

export function methodNotAllowed(allowed: string): Answer {
  return oauthError(405, "invalid_request", `use ${allowed}`, { allow: allowed });
}
