import { type CryptoBackend, KeyImportError } from "../crypto/backend.js";
import { show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { VerificationKey } from "../keys/verification-key.js";
import { nodeBuffer } from "../util/platform.js";
import { type AlgorithmSpec, algorithmSpec } from "./algorithms.js";
import type { JwsHeader } from "./parse.js";

const BufferCtor = nodeBuffer?.Buffer;
const encoder = new TextEncoder();

/**
 * The first `length` characters of `input` as bytes: the signing input is
 * ASCII (base64url and a dot), so latin1 is exact, and writing a prefix
 * straight from the token spares a substring.
 */
export function asciiBytes(input: string, length = input.length): Uint8Array {
  if (BufferCtor === undefined) return encoder.encode(input.slice(0, length));
  const bytes = BufferCtor.allocUnsafe(length);
  bytes.write(input, 0, length, "latin1");
  return bytes;
}

/**
 * Checks a signature with the platform. Lengths fixed by the algorithm are
 * checked first, identically on every platform: ECDSA and EdDSA signatures
 * have one exact size (RFC 7518 §3.4, RFC 8032 §5.1.7) and an RSA signature is
 * exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
 */
export function verifySignature(
  backend: CryptoBackend,
  alg: AlgorithmSpec,
  key: VerificationKey,
  data: Uint8Array,
  signature: Uint8Array,
): boolean | Promise<boolean> {
  if (alg.signatureBytes !== null && signature.length !== alg.signatureBytes) return false;
  if (alg.kty === "RSA" && signature.length !== key.modulusBytes) return false;
  if (signature.length === 0) return false;
  return backend.verify(alg, key, data, signature);
}

/** The algorithm a header names; `none` and unknown names are refused before anything else (RFC 8725 §3.1). */
export function headerAlgorithm(header: JwsHeader): AlgorithmSpec {
  if (header.alg.toLowerCase() === "none") {
    throw new TokenError("algorithm_not_allowed", { hint: 'alg "none" marks an unsigned token; it is never accepted (RFC 8725 §3.1)' });
  }
  const spec = algorithmSpec(header.alg);
  if (spec === undefined) throw new TokenError("algorithm_not_allowed", { hint: `alg ${show(header.alg)} is not an algorithm tokenward verifies` });
  return spec;
}

function refuse(valid: boolean, alg: AlgorithmSpec, key: VerificationKey, source: string): void {
  if (!valid) {
    throw new TokenError("signature_invalid", {
      hint: `the ${alg.name} signature does not verify with key ${show(key.kid)} from ${source}. The token was altered, or signed by someone else with the same kid.`,
    });
  }
}

function unusableKey(error: unknown, source: string): never {
  // The platform refused a key that passed our checks (an EC point off its
  // curve, say): there is no usable key, rather than a bad signature.
  if (error instanceof KeyImportError)
    throw new TokenError("key_not_found", { hint: `${error.message}; ${source} publishes a key the platform cannot use`, cause: error });
  throw error;
}

/**
 * Verifies a signature or throws: `signature_invalid` when it does not verify,
 * `key_not_found` when the platform cannot use the key. Synchronous when the
 * backend is (node:crypto), so the hot path awaits nothing it does not need.
 */
export function assertSignature(
  backend: CryptoBackend,
  alg: AlgorithmSpec,
  key: VerificationKey,
  data: Uint8Array,
  signature: Uint8Array,
  source: string,
): void | Promise<void> {
  let result: boolean | Promise<boolean>;
  try {
    result = verifySignature(backend, alg, key, data, signature);
  } catch (error) {
    unusableKey(error, source);
  }
  if (typeof result === "boolean") return refuse(result, alg, key, source);
  return result.then(
    (valid) => refuse(valid, alg, key, source),
    (error: unknown) => unusableKey(error, source),
  );
}
