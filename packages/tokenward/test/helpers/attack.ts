import { constants, createHmac, generateKeyPairSync, KeyObject, sign as nodeSign } from "node:crypto";
import type { CryptoKey } from "jose";
import { expect } from "vitest";
import type { FetchLimits, JsonFetcher } from "../../src/index.js";
import { ConfigError, createVerifier, TOKEN_ERRORS, TokenError, type TokenErrorCode, type VerifierOptions } from "../../src/index.js";

/** Both signature backends; tests about signatures and keys run once for each. */
export const BACKENDS = ["node", "webcrypto"] as const;

/** A fixed instant (2023-11-14T22:13:20Z) for the `now` option. */
export const NOW = 1_700_000_000;
export const NOW_ISO = "2023-11-14T22:13:20.000Z";

/** The HTTP status of each code, as CONTRACT.md writes it. */
export function contractStatus(code: TokenErrorCode): number {
  if (code === "insufficient_scope" || code === "access_denied") return 403;
  if (code === "jwks_unavailable" || code === "introspection_unavailable") return 503;
  if (code === "invalid_request") return 400;
  return 401;
}

/** Awaits a promise that must reject with a TokenError, and returns the error. */
export async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  const outcome = await promise.then(
    (value) => ({ accepted: true as const, value }),
    (error: unknown) => ({ accepted: false as const, error }),
  );
  if (outcome.accepted) throw new Error(`expected a refusal, but the token was accepted: ${JSON.stringify(outcome.value)}`);
  if (!TokenError.is(outcome.error)) throw outcome.error;
  return outcome.error;
}

/**
 * Asserts a refusal: the exact code, the CONTRACT.md status, the client-safe
 * default message, a hint containing each of `hint` (the operator's clue),
 * and, when `token` is given, a hint that never repeats the token or its signature.
 */
export async function expectRefused(
  promise: Promise<unknown>,
  code: TokenErrorCode,
  hint: readonly (string | RegExp)[] = [],
  token?: string,
): Promise<TokenError> {
  const error = await refusal(promise);
  expect(error.code, `hint: ${error.hint}`).toBe(code);
  expect(error.status).toBe(contractStatus(code));
  expect(error.message).toBe(TOKEN_ERRORS[code].message);
  expect(error.hint.length).toBeGreaterThan(10);
  for (const clue of hint) {
    if (typeof clue === "string") expect(error.hint).toContain(clue);
    else expect(error.hint).toMatch(clue);
  }
  if (token !== undefined && token.length > 40) {
    expect(error.hint).not.toContain(token);
    const signature = token.slice(token.lastIndexOf(".") + 1);
    if (signature.length > 16) expect(error.hint).not.toContain(signature);
  }
  return error;
}

/** base64url of raw bytes. */
export function b64bytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** base64url of a JSON value, or of a string taken as raw text (so hand-written JSON can be signed as is). */
export function segment(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/**
 * Signs `header.payload` (both already base64url) with `alg`, byte for byte as
 * given: for tokens jose would refuse to produce (odd headers, raw JSON, a
 * curve that does not fit the algorithm, an RSA public key used as an HMAC
 * secret). Private keys may be jose's CryptoKeys or node KeyObjects.
 */
export function signSegments(key: CryptoKey | KeyObject | Uint8Array | string, alg: string, header: string, payload: string): string {
  const input = Buffer.from(`${header}.${payload}`, "latin1");
  const hash = HASH[alg.slice(2)] ?? "sha256";
  let signature: Buffer;
  if (alg.startsWith("HS")) {
    if (key instanceof KeyObject || !(typeof key === "string" || key instanceof Uint8Array)) throw new Error("HMAC needs a secret");
    signature = createHmac(hash, key).update(input).digest();
  } else {
    if (typeof key === "string" || key instanceof Uint8Array) throw new Error(`${alg} needs a private key`);
    const object = key instanceof KeyObject ? key : KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    if (alg.startsWith("RS")) signature = nodeSign(hash, input, object);
    else if (alg.startsWith("PS"))
      signature = nodeSign(hash, input, { key: object, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
    else if (alg.startsWith("ES")) signature = nodeSign(hash, input, { key: object, dsaEncoding: "ieee-p1363" });
    else signature = nodeSign(null, input, object);
  }
  return `${header}.${payload}.${signature.toString("base64url")}`;
}

/** Signs a header and claims (objects, or raw JSON text) with `alg`. */
export function signRaw(key: CryptoKey | KeyObject | Uint8Array | string, header: unknown, claims: unknown): string {
  const alg = typeof header === "object" && header !== null ? String((header as { alg?: unknown }).alg) : "";
  return signSegments(key, alg, segment(header), segment(claims));
}

export interface FetchSpy {
  readonly fetchJson: JsonFetcher;
  /** Every URL asked for, in order. */
  readonly calls: string[];
}

/** A JSON fetcher that answers from a table and records every request; an unknown URL fails. */
export function fetchSpy(documents: Record<string, unknown> = {}): FetchSpy {
  const calls: string[] = [];
  const fetchJson: JsonFetcher = async (url: string, _limits: FetchLimits) => {
    calls.push(url);
    if (!Object.hasOwn(documents, url)) throw new Error(`no document at ${url}`);
    return { body: documents[url], maxAgeSeconds: undefined };
  };
  return { fetchJson, calls };
}

export interface RawKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK with kid, without alg (so it suits every algorithm of its kind) unless one is set. */
  readonly jwk: Record<string, unknown>;
}

/** A key pair made by node:crypto, for what jose will not generate (RSA under 2048 bits) or to sign several algorithms with one key. */
export function rawKey(kind: "rsa" | "ec" | "ed25519", kid: string, options: { modulusLength?: number; namedCurve?: string; alg?: string } = {}): RawKey {
  const pair =
    kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: options.modulusLength ?? 2048 })
      : kind === "ec"
        ? generateKeyPairSync("ec", { namedCurve: options.namedCurve ?? "P-256" })
        : generateKeyPairSync("ed25519");
  const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid, ...(options.alg === undefined ? {} : { alg: options.alg }) };
  return { kid, privateKey: pair.privateKey, jwk };
}

/** createVerifier must throw a ConfigError for these options; returns it. */
export function verifierConfigError(options: unknown): ConfigError {
  let thrown: unknown;
  try {
    createVerifier(options as VerifierOptions);
  } catch (error) {
    thrown = error;
  }
  if (!ConfigError.is(thrown)) throw new Error(`expected a ConfigError, got ${thrown === undefined ? "no error" : String(thrown)}`);
  return thrown;
}
