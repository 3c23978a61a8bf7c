import { nodeBuffer } from "../util/platform.js";

// RFC 7515 §2: base64url without padding, and no whitespace or line breaks.
const ALPHABET = /^[A-Za-z0-9_-]*$/;

function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // '-' or '_'
}

/**
 * True when `input` is the one canonical base64url spelling of some bytes:
 * alphabet only, no padding, a possible length, and zero unused trailing
 * bits (RFC 4648 §3.5). Non-canonical spellings decode to the same bytes as
 * the canonical one; accepting them would let anyone mint many distinct
 * strings for one signed token.
 */
export function isCanonicalBase64url(input: string): boolean {
  const rest = input.length % 4;
  if (rest === 1 || !ALPHABET.test(input)) return false;
  if (rest === 0) return true;
  const last = sextet(input.charCodeAt(input.length - 1));
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

const BufferCtor = nodeBuffer?.Buffer;

/** Decodes input already checked by `isCanonicalBase64url`. */
export function decodeBase64url(input: string): Uint8Array {
  if (BufferCtor !== undefined) return BufferCtor.from(input, "base64url");
  const binary = atob(input.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes `input` if it is canonical base64url (`isCanonicalBase64url`),
 * else returns undefined: the hot path, one pass on Node. Node's decoder
 * takes "+" and "/" as well, so those are looked for first; anything else
 * outside the alphabet (padding, whitespace, other characters) is skipped or
 * ends the decoding, so the output comes out shorter than the input's length
 * promises. The property tests hold it equal to `isCanonicalBase64url`.
 */
export function decodeCanonical(input: string): Uint8Array | undefined {
  const rest = input.length % 4;
  if (rest === 1) return undefined;
  if (BufferCtor === undefined) return isCanonicalBase64url(input) ? decodeBase64url(input) : undefined;
  if (input.indexOf("+") !== -1 || input.indexOf("/") !== -1) return undefined;
  const bytes = BufferCtor.from(input, "base64url");
  if (bytes.length !== (input.length * 3) >> 2) return undefined;
  if (rest === 0) return bytes;
  const last = sextet(input.charCodeAt(input.length - 1));
  return (rest === 2 ? last & 0x0f : last & 0x03) === 0 ? bytes : undefined;
}

export function encodeBase64url(bytes: Uint8Array): string {
  if (BufferCtor !== undefined) {
    return BufferCtor.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  }
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
