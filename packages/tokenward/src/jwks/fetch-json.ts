import { decodeUtf8 } from "../jws/utf8.js";
import { Exchange, FetchFailure, type FetchLimits } from "./exchange.js";

// Where other modules have always found them.
export { FetchFailure, type FetchFailureReason, type FetchLimits, readCapped } from "./exchange.js";

export interface FetchedJson {
  readonly body: unknown;
  /** Seconds the answer may be reused, from `Cache-Control: max-age` minus `Age` (RFC 9111 §4.2). */
  readonly maxAgeSeconds: number | undefined;
}

/** Fetches one JSON document. Replaceable, e.g. to go through a proxy or to count requests in tests. */
export type JsonFetcher = (url: string, limits: FetchLimits) => Promise<FetchedJson>;

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

/**
 * The default fetcher: the platform's `fetch`, redirects refused (a JWKS or
 * metadata URL is configured exactly, and following a redirect would let the
 * answer come from somewhere else), a deadline over the whole exchange and a
 * byte cap enforced while streaming.
 */
export function createJsonFetcher(fetchImpl: typeof fetch = globalThis.fetch): JsonFetcher {
  return async (url, limits) => {
    const exchange = new Exchange(limits);
    try {
      const response = await exchange.send(fetchImpl, url, { headers: { accept: "application/json, application/jwk-set+json;q=0.9" } });
      if (response.status !== 200) {
        exchange.abort();
        throw new FetchFailure("status", `it answered HTTP ${response.status}`, response.status);
      }
      const bytes = await exchange.read(response);
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
      exchange.end();
    }
  };
}
