import type { CryptoBackend } from "../crypto/backend.js";
import type { VerificationKey } from "../keys/verification-key.js";
import { nodeBuffer } from "../util/platform.js";
import type { AlgorithmSpec } from "./algorithms.js";

const BufferCtor = nodeBuffer?.Buffer;
const encoder = new TextEncoder();

/** The signing input is ASCII (it is base64url and a dot), so latin1 is exact and fastest. */
export function asciiBytes(input: string): Uint8Array {
  return BufferCtor !== undefined ? BufferCtor.from(input, "latin1") : encoder.encode(input);
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
