/**
 * A public key that passed every check in `readJwk`, ready to verify. The
 * platform key (a node:crypto KeyObject or a WebCrypto CryptoKey) is imported
 * on first use and kept in `imported`, so no request pays for an import twice.
 */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: "RSA" | "EC" | "OKP" | "oct";
  readonly crv: string | undefined;
  /** The JWK's own `alg`, when it names one: the key then verifies that algorithm only. */
  readonly alg: string | undefined;
  /** Public members only (or, for `oct`, the secret): what the platform imports. */
  readonly jwk: Readonly<Record<string, string>>;
  /** RSA modulus length in bytes: an RSA signature must be exactly this long (RFC 8017 §8.2.2). */
  readonly modulusBytes: number;
  /** Secret length in bytes, for HMAC keys (RFC 7518 §3.2 minimums). */
  readonly secretBytes: number;
  /** Microsoft Entra publishes the issuer each key may sign for; the token's `iss` must agree. */
  readonly issuer: string | undefined;
  readonly imported: Map<string, unknown>;
}
