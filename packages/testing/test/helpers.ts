import { TokenError } from "tokenward";
import { expect } from "vitest";

/** Awaits a promise that must reject with a TokenError; checks its code (the hint explains a mismatch). */
export async function refusedWith(pending: Promise<unknown>, code: string): Promise<TokenError> {
  const outcome = await pending.then(
    (value: unknown) => ({ accepted: true as const, value }),
    (error: unknown) => ({ accepted: false as const, error }),
  );
  if (outcome.accepted) throw new Error(`expected a TokenError ${code}, but the token was accepted`);
  if (!TokenError.is(outcome.error)) throw outcome.error;
  expect(outcome.error.code, outcome.error.hint).toBe(code);
  return outcome.error;
}

export interface FormAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** POSTs an application/x-www-form-urlencoded body, optionally with Basic credentials, and reads the JSON answer. */
export async function postForm(url: string, params: Record<string, string> | string, basic?: { id: string; secret: string }): Promise<FormAnswer> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (basic !== undefined) headers.authorization = `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString("base64")}`;
  const response = await fetch(url, { method: "POST", headers, body: typeof params === "string" ? params : new URLSearchParams(params).toString() });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** The decoded header and payload of a compact JWS (unverified: for assertions only). */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>,
  };
}
