// The signing algorithms the issuer supports, and what a key of each looks
// like as a JWK. One table, so generation, loading and publishing agree.

import type { SigningAlgorithm } from "../config/types.js";

export interface AlgorithmSpec {
  readonly alg: SigningAlgorithm;
  readonly kty: "RSA" | "EC" | "OKP";
  readonly crv: string | undefined;
  /** RFC 7638 §3.2 and RFC 7517: the public members, in the order we publish them. */
  readonly publicMembers: readonly string[];
  /** The private members a stored JWK must carry (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
  readonly privateMembers: readonly string[];
}

export const ALGORITHMS: Readonly<Record<SigningAlgorithm, AlgorithmSpec>> = {
  // RFC 7518 §3.3: RSA keys of 2048 bits or more. We write the CRT parameters
  // because WebCrypto needs them to import a private RSA key.
  RS256: { alg: "RS256", kty: "RSA", crv: undefined, publicMembers: ["kty", "n", "e"], privateMembers: ["d", "p", "q", "dp", "dq", "qi"] },
  ES256: { alg: "ES256", kty: "EC", crv: "P-256", publicMembers: ["kty", "crv", "x", "y"], privateMembers: ["d"] },
  // RFC 8037 §3.1: EdDSA with the Ed25519 curve.
  EdDSA: { alg: "EdDSA", kty: "OKP", crv: "Ed25519", publicMembers: ["kty", "crv", "x"], privateMembers: ["d"] },
};

export const SIGNING_ALGORITHMS = Object.keys(ALGORITHMS) as SigningAlgorithm[];

/** RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used". */
export const MIN_RSA_BITS = 2048;

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === "string" && Object.hasOwn(ALGORITHMS, value);
}
