/**
 * The JWS algorithms tokenward can verify (RFC 7518 §3, RFC 8037 §3.1,
 * RFC 9864 for the fully specified "Ed25519"), with what each demands of a key.
 */
export type AsymmetricAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA" | "Ed25519";
export type SymmetricAlgorithm = "HS256" | "HS384" | "HS512";
export type Algorithm = AsymmetricAlgorithm | SymmetricAlgorithm;

export type Hash = "sha256" | "sha384" | "sha512";

export interface AlgorithmSpec {
  readonly name: Algorithm;
  /** RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA, EdDSA or HMAC. */
  readonly family: "RSA" | "PSS" | "EC" | "OKP" | "HMAC";
  readonly kty: "RSA" | "EC" | "OKP" | "oct";
  readonly hash: Hash | null;
  /** Hash output size in bytes: the PSS salt length (RFC 7518 §3.5) and the HMAC minimum key size (§3.2). */
  readonly hashBytes: number;
  /** The curves a key may be on (EC and OKP). */
  readonly curves: readonly string[];
  /** The exact signature length where the algorithm fixes one (RFC 7518 §3.4: R || S). */
  readonly signatureBytes: number | null;
}

function spec(
  name: Algorithm,
  family: AlgorithmSpec["family"],
  hash: Hash | null,
  curves: readonly string[] = [],
  signatureBytes: number | null = null,
): AlgorithmSpec {
  const kty = family === "RSA" || family === "PSS" ? "RSA" : family === "HMAC" ? "oct" : family;
  const hashBytes = hash === null ? 0 : Number(hash.slice(3)) / 8;
  return Object.freeze({ name, family, kty, hash, hashBytes, curves: Object.freeze(curves), signatureBytes });
}

export const ALGORITHMS: Readonly<Record<Algorithm, AlgorithmSpec>> = Object.freeze({
  RS256: spec("RS256", "RSA", "sha256"),
  RS384: spec("RS384", "RSA", "sha384"),
  RS512: spec("RS512", "RSA", "sha512"),
  PS256: spec("PS256", "PSS", "sha256"),
  PS384: spec("PS384", "PSS", "sha384"),
  PS512: spec("PS512", "PSS", "sha512"),
  ES256: spec("ES256", "EC", "sha256", ["P-256"], 64),
  ES384: spec("ES384", "EC", "sha384", ["P-384"], 96),
  ES512: spec("ES512", "EC", "sha512", ["P-521"], 132),
  EdDSA: spec("EdDSA", "OKP", null, ["Ed25519"], 64),
  Ed25519: spec("Ed25519", "OKP", null, ["Ed25519"], 64),
  HS256: spec("HS256", "HMAC", "sha256"),
  HS384: spec("HS384", "HMAC", "sha384"),
  HS512: spec("HS512", "HMAC", "sha512"),
});

/** The default allow-list: the asymmetric RS, PS, ES and EdDSA families. Never `none`, never HMAC. */
export const DEFAULT_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

export function algorithmSpec(name: unknown): AlgorithmSpec | undefined {
  return typeof name === "string" && Object.hasOwn(ALGORITHMS, name) ? ALGORITHMS[name as Algorithm] : undefined;
}
