import { createJsonFetcher, type FetchedJson, type JsonFetcher } from "../../jwks/fetch-json.js";

/** The headers of one HTTP answer that say something about the server's clock. */
export interface Answer {
  readonly url: string;
  readonly status: number;
  /** The Date header as sent (RFC 9110 §6.6.1), if any. */
  readonly date: string | undefined;
  /** The Age header in seconds (RFC 9111 §5.1): how long a cache held the answer. */
  readonly ageSeconds: number;
  /** Our clock, in milliseconds, when the headers arrived. */
  readonly receivedAt: number;
}

export interface ObservedFetcher {
  /** tokenward's own JSON fetcher (deadline, byte cap, no redirects), one request per URL. */
  readonly fetchJson: JsonFetcher;
  /** The headers of the answer from `url`, once it was fetched (failed answers included). */
  answer(url: string): Answer | undefined;
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * The fetcher of a diagnosis. It is tokenward's fetcher, so what the
 * diagnosis sees is what a verifier would (the same limits and refusals);
 * the platform `fetch` underneath is wrapped only to keep each answer's
 * Date header, for the clock check. Each URL is fetched once per run, so the
 * checks and the real verification judge the same documents.
 */
export function createObservedFetcher(fetchImpl: typeof fetch = globalThis.fetch, now: () => number = Date.now): ObservedFetcher {
  const answers = new Map<string, Answer>();
  const results = new Map<string, Promise<FetchedJson>>();
  const inner = createJsonFetcher(async (input, init) => {
    const response = await fetchImpl(input, init);
    const age = response.headers.get("age");
    const url = urlOf(input);
    answers.set(url, {
      url,
      status: response.status,
      date: response.headers.get("date") ?? undefined,
      ageSeconds: age !== null && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0,
      receivedAt: now(),
    });
    return response;
  });
  return {
    fetchJson: (url, limits) => {
      let result = results.get(url);
      if (result === undefined) {
        result = inner(url, limits);
        results.set(url, result);
      }
      return result;
    },
    answer: (url) => answers.get(url),
  };
}
