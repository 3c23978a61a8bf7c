import { FetchFailure, type FetchLimits, readCapped } from "./fetch-json.js";

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
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  (timer as { unref?: () => void }).unref?.();
  try {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        signal: controller.signal,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: form.toString(),
      });
    } catch (cause) {
      if (timedOut) throw new FetchFailure("timeout", `no answer within ${limits.timeoutMs} ms`);
      // The cause's message (ECONNREFUSED, a TLS error), never the request: its body holds the token.
      const detail = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : "unknown error";
      throw new FetchFailure("network", `the request failed: ${detail}`);
    }
    if (response.status >= 300 && response.status < 400) {
      controller.abort();
      throw new FetchFailure(
        "redirect",
        `it answered ${response.status} redirecting to ${response.headers.get("location") ?? "(no Location)"}; redirects are not followed (they would carry the credentials and the token elsewhere), configure the final URL`,
        response.status,
      );
    }
    const maxBytes = response.status === 200 ? limits.maxBytes : Math.min(limits.maxBytes, ERROR_BODY_BYTES);
    let body: Uint8Array;
    try {
      body = await readCapped(response, maxBytes, () => controller.abort());
    } catch (cause) {
      if (response.status !== 200) {
        // The status says what matters; an oversized or broken error body adds nothing.
        controller.abort();
        body = new Uint8Array(0);
      } else if (cause instanceof FetchFailure) {
        throw cause;
      } else if (timedOut) {
        throw new FetchFailure("timeout", `the body did not arrive within ${limits.timeoutMs} ms`);
      } else {
        throw new FetchFailure("network", `reading the answer failed: ${cause instanceof Error ? cause.message : "unknown error"}`);
      }
    }
    return { status: response.status, contentType: response.headers.get("content-type"), body };
  } finally {
    clearTimeout(timer);
  }
}
