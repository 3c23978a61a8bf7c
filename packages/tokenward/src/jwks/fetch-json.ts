import { decodeUtf8 } from "../jws/utf8.js";

export interface FetchLimits {
  /** The whole exchange, headers and body, must finish within this. */
  readonly timeoutMs: number;
  /** Bodies larger than this are refused without being buffered. */
  readonly maxBytes: number;
}

export interface FetchedJson {
  readonly body: unknown;
  /** Seconds the answer may be reused, from `Cache-Control: max-age` minus `Age` (RFC 9111 §4.2). */
  readonly maxAgeSeconds: number | undefined;
}

/** Fetches one JSON document. Replaceable, e.g. to go through a proxy or to count requests in tests. */
export type JsonFetcher = (url: string, limits: FetchLimits) => Promise<FetchedJson>;

export type FetchFailureReason = "timeout" | "network" | "status" | "redirect" | "too_large" | "invalid_json";

export class FetchFailure extends Error {
  constructor(
    readonly reason: FetchFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** RFC 9111 §5.2.2: `max-age`, with `no-cache` / `no-store` meaning "revalidate now". */
export function parseMaxAge(cacheControl: string | null, age: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of cacheControl.toLowerCase().split(",")) {
    const [name = "", value] = directive.trim().split("=", 2);
    if (name === "no-cache" || name === "no-store") return 0;
    if (name === "max-age" && value !== undefined) {
      // delta-seconds is 1*DIGIT (RFC 9111 §1.2.2): not "", "1e3" or "0x10", which Number() would take.
      const digits = value.replace(/^"|"$/g, "");
      if (/^\d+$/.test(digits)) maxAge = Number(digits);
    }
  }
  if (maxAge === undefined) return undefined;
  const ageSeconds = age !== null && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0;
  return Math.max(0, maxAge - ageSeconds);
}

/** Reads a body, refusing (and aborting) once it passes `maxBytes`: never buffers more than the cap. */
export async function readCapped(response: Response, maxBytes: number, abort: () => void): Promise<Uint8Array> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    abort();
    throw new FetchFailure("too_large", `the answer declares ${declared} bytes, over the limit of ${maxBytes}`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      abort();
      await reader.cancel().catch(() => undefined);
      throw new FetchFailure("too_large", `the answer exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The default fetcher: the platform's `fetch`, redirects refused (a JWKS or
 * metadata URL is configured exactly, and following a redirect would let the
 * answer come from somewhere else), a deadline over the whole exchange and a
 * byte cap enforced while streaming.
 */
export function createJsonFetcher(fetchImpl: typeof fetch = globalThis.fetch): JsonFetcher {
  return async (url, limits) => {
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
          signal: controller.signal,
          redirect: "manual",
          headers: { accept: "application/json, application/jwk-set+json;q=0.9" },
        });
      } catch (cause) {
        if (timedOut) throw new FetchFailure("timeout", `no answer within ${limits.timeoutMs} ms`);
        const detail = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
        throw new FetchFailure("network", `the request failed: ${detail}`);
      }
      if (response.status >= 300 && response.status < 400) {
        controller.abort();
        const location = response.headers.get("location");
        throw new FetchFailure(
          "redirect",
          `it answered ${response.status} redirecting to ${location ?? "(no Location)"}; redirects are not followed, configure the final URL`,
          response.status,
        );
      }
      if (response.status !== 200) {
        controller.abort();
        throw new FetchFailure("status", `it answered HTTP ${response.status}`, response.status);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readCapped(response, limits.maxBytes, () => controller.abort());
      } catch (cause) {
        if (cause instanceof FetchFailure) throw cause;
        if (timedOut) throw new FetchFailure("timeout", `the body did not arrive within ${limits.timeoutMs} ms`);
        throw new FetchFailure("network", `reading the answer failed: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      const text = decodeUtf8(bytes);
      let body: unknown;
      try {
        if (text === undefined) throw new Error("not UTF-8");
        body = JSON.parse(text);
      } catch {
        throw new FetchFailure("invalid_json", `the answer (${response.headers.get("content-type") ?? "no content-type"}) is not JSON`);
      }
      return { body, maxAgeSeconds: parseMaxAge(response.headers.get("cache-control"), response.headers.get("age")) };
    } finally {
      clearTimeout(timer);
    }
  };
}
