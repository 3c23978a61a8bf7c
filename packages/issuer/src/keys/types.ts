// What the rest of the issuer needs from its keys. keys/key-manager.ts
// implements it over the on-disk key store and the rotation schedule.

import type { SigningAlgorithm } from "../config/types.js";

export interface PublicJwks {
  keys: Array<Record<string, unknown>>;
}

export interface KeyManager {
  /** The algorithm of the key that signs now. */
  readonly algorithm: SigningAlgorithm;
  /**
   * Signs a JWS with the key that signs now; `header` gets `alg` and `kid`
   * added. Returns the compact serialization.
   */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
  /** Every published public key (signing, next and retiring), as served at jwks_uri. */
  jwks(): PublicJwks;
  /** Seconds a JWKS answer may be cached now, per the rotation schedule (never past the next change). */
  jwksMaxAgeSeconds(): number;
  /** Picks up key files changed on disk (another instance, or `tokenward keys rotate`) and rotates when due. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}
