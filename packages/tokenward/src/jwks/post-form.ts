import { Exchange } from "./exchange.js";
import type { FetchLimits } from "./fetch-json.js";

/** What an endpoint answered to a form POST. */
export interface FormAnswer {
  readonly status: number;
  readonly contentType: string | null;
  /** The body: whole for a 200 (within the cap), the first bytes of anything else (an error's JSON). */
  readonly body: Uint8Array;
}

// An error answer is read only for its RFC 6749 §5.2 "error" code: a few
// hundred bytes, so a huge error page costs nothing.
const ERROR_BODY_BYTES = 4096;

/**
 * POSTs an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, RFC 7662
 * §2.1) with the same discipline as the JSON fetcher: a deadline over the
 * whole exchange, a byte cap enforced while streaming, and redirects refused
 * (a redirected POST would carry the credentials and the token to another
 * URL). Statuses other than 200 are returned, not thrown, so the caller can
 * tell wrong credentials from an outage.
 */
export async function postForm(
  fetchImpl: typeof fetch,
  url: string,
  form: URLSearchParams,
  headers: Readonly<Record<string, string>>,
  limits: FetchLimits,
): Promise<FormAnswer> {
  const exchange = new Exchange(limits);
  try {
    const response = await exchange.send(
      fetchImpl,
      url,
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: form.toString() },
      " (they would carry the credentials and the token elsewhere)",
    );
    if (response.status === 200) return { status: 200, contentType: response.headers.get("content-type"), body: await exchange.read(response) };
    let body: Uint8Array;
    try {
      body = await exchange.read(response, Math.min(limits.maxBytes, ERROR_BODY_BYTES));
    } catch {
      // The status says what matters; an oversized or broken error body adds nothing.
      exchange.abort();
      body = new Uint8Array(0);
    }
    return { status: response.status, contentType: response.headers.get("content-type"), body };
  } finally {
    exchange.end();
  }
}
