// The stored form of a client secret: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`
// (salt and hash base64url without padding). The parameters travel with the
// hash, so they can be raised later without invalidating stored hashes; the
// bounds below keep a hostile or mistyped configuration from making one
// verification take seconds or gigabytes (RFC 7914 §2: memory is 128·N·r bytes).

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  readonly log2N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelization. */
  readonly p: number;
}

export interface SecretHash extends ScryptParameters {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** What `tokenward secret hash` writes: N = 2^15, r = 8, p = 1 (32 MiB, about 50-100 ms). */
export const DEFAULT_SCRYPT: ScryptParameters = Object.freeze({ log2N: 15, r: 8, p: 1 });
export const SALT_BYTES = 16;
export const KEY_BYTES = 32;

// Below 2^14 the hash is too cheap to stand an offline guessing attack
// (RFC 7914 §2 suggests N = 2^14 as a minimum for interactive use).
const MIN_LOG2N = 14;
const MAX_LOG2N = 20;
const MAX_R = 16;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 1024 * 1024 * 1024;
const MIN_BYTES = 16;
const MAX_BYTES = 64;
const MAX_ENCODED_LENGTH = 256;

export class SecretHashError extends Error {
  override readonly name = "SecretHashError";
}

const INTEGER = /^[1-9][0-9]{0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function integer(text: string, what: string, min: number, max: number): number {
  if (!INTEGER.test(text)) throw new SecretHashError(`has a ${what} parameter that is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new SecretHashError(`has ${what} = ${value}; it must be between ${min} and ${max}`);
  return value;
}

function bytes(text: string, what: string): Buffer {
  if (!BASE64URL.test(text)) throw new SecretHashError(`has a ${what} that is not base64url`);
  const decoded = Buffer.from(text, "base64url");
  // Only the canonical spelling: a second spelling of the same bytes is a sign of a hand-edited value.
  if (decoded.toString("base64url") !== text) throw new SecretHashError(`has a ${what} that is not canonical base64url`);
  if (decoded.length < MIN_BYTES || decoded.length > MAX_BYTES)
    throw new SecretHashError(`has a ${what} of ${decoded.length} bytes; it must be ${MIN_BYTES} to ${MAX_BYTES} bytes`);
  return decoded;
}

/**
 * Reads an encoded secret hash, or throws a SecretHashError saying what is
 * wrong, phrased to follow the field's name ("secretHash has 5 parts...").
 * The message never contains the value: a plain secret pasted by mistake
 * must not end up in a log.
 */
export function parseSecretHash(encoded: unknown): SecretHash {
  if (typeof encoded !== "string")
    throw new SecretHashError(`must be a string made by \`tokenward secret hash\`; got ${encoded === null ? "null" : typeof encoded}`);
  if (!encoded.startsWith("scrypt$")) throw new SecretHashError("must be a hash made by `tokenward secret hash` (scrypt$15$8$1$...), not a plain secret");
  if (encoded.length > MAX_ENCODED_LENGTH)
    throw new SecretHashError(`is ${encoded.length} characters long, more than any hash \`tokenward secret hash\` makes`);
  const parts = encoded.split("$");
  if (parts.length !== 6) throw new SecretHashError(`has ${parts.length} $-separated parts; the form is scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`);
  const [, n = "", r = "", p = "", salt = "", hash = ""] = parts;
  const log2N = integer(n, "log2 N", MIN_LOG2N, MAX_LOG2N);
  const blockSize = integer(r, "r", 1, MAX_R);
  const parallel = integer(p, "p", 1, MAX_P);
  if (128 * 2 ** log2N * blockSize > MAX_MEMORY_BYTES)
    throw new SecretHashError(`has N = 2^${log2N} with r = ${blockSize}, which needs more than 1 GiB per verification; lower N or r`);
  return { log2N, r: blockSize, p: parallel, salt: bytes(salt, "salt"), hash: bytes(hash, "hash") };
}

export function formatSecretHash(value: SecretHash): string {
  return `scrypt$${value.log2N}$${value.r}$${value.p}$${value.salt.toString("base64url")}$${value.hash.toString("base64url")}`;
}
