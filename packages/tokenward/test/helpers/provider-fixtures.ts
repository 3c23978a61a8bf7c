import { expect } from "vitest";
import { ConfigError, type FetchLimits, type JsonFetcher, TokenError } from "../../src/index.js";
import { FetchFailure } from "../../src/jwks/fetch-json.js";

export interface RecordingFetcher {
  /** Pass as `VerifierOptions.fetchJson`. */
  readonly fetchJson: JsonFetcher;
  /** Every URL asked for, in order. */
  readonly requests: string[];
  /** The limits passed with each request. */
  readonly limits: FetchLimits[];
  /** Serve (or replace) a JSON document at an exact URL. */
  serve(url: string, body: unknown, maxAgeSeconds?: number): void;
}

/**
 * A JSON fetcher for provider tests: it answers only the exact URLs it was
 * given (anything else is a 404, as a real server would answer a wrong path)
 * and records what the verifier asked for, so a test can assert that a preset
 * fetches exactly the provider's published JWKS URL.
 */
export function recordingFetcher(documents: Record<string, unknown> = {}): RecordingFetcher {
  const served = new Map<string, { body: unknown; maxAgeSeconds: number | undefined }>();
  for (const [url, body] of Object.entries(documents)) served.set(url, { body, maxAgeSeconds: undefined });
  const requests: string[] = [];
  const limits: FetchLimits[] = [];
  return {
    requests,
    limits,
    serve: (url, body, maxAgeSeconds) => {
      served.set(url, { body, maxAgeSeconds });
    },
    fetchJson: async (url, requestLimits) => {
      requests.push(url);
      limits.push(requestLimits);
      const document = served.get(url);
      if (document === undefined) throw new FetchFailure("status", "it answered HTTP 404", 404);
      return { body: structuredClone(document.body), maxAgeSeconds: document.maxAgeSeconds };
    },
  };
}

/**
 * A provider's example claims with fresh times: `iat`, `exp`, `nbf` and
 * `auth_time` move by the same amount, so the token keeps the example's
 * lifetime but is valid now.
 */
export function freshen(claims: Record<string, unknown>, now: number = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const iat = claims.iat;
  if (typeof iat !== "number") throw new Error("the example claims need an iat to freshen");
  const shift = now - iat;
  const out: Record<string, unknown> = { ...claims };
  for (const name of ["iat", "exp", "nbf", "auth_time"]) {
    const value = out[name];
    if (typeof value === "number") out[name] = value + shift;
  }
  return out;
}

/** Awaits a rejection and checks it is a TokenError with this code; returns it for further checks. */
export async function rejection(pending: Promise<unknown>, code: TokenError["code"]): Promise<TokenError> {
  const error = await pending.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!TokenError.is(error)) throw new Error(`expected a TokenError ${code}, got ${error === undefined ? "success" : String(error)}`);
  expect(error.code, error.hint).toBe(code);
  return error;
}

/** Runs a configuration step and checks it throws a ConfigError for this field; returns it. */
export function configError(build: () => unknown, field: string): ConfigError {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  if (!ConfigError.is(thrown)) throw new Error(`expected a ConfigError for ${field}, got ${thrown === undefined ? "no error" : String(thrown)}`);
  expect(thrown.field).toBe(field);
  expect(thrown.message.startsWith(`${field}: `)).toBe(true);
  return thrown;
}

export const BACKENDS = ["node", "webcrypto"] as const;
