import type { AlgorithmSpec } from "../jws/algorithms.js";
import type { VerificationKey } from "../keys/verification-key.js";

/**
 * Where signatures are checked: node:crypto on Node, WebCrypto elsewhere.
 * Never our own arithmetic. `verify` answers synchronously when the platform
 * can (node:crypto), so the hot path does not pay for a promise it does not need.
 */
export interface CryptoBackend {
  readonly name: "node" | "webcrypto";
  verify(alg: AlgorithmSpec, key: VerificationKey, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** The platform refused a key that passed our checks (for example an EC point off its curve). */
export class KeyImportError extends Error {
  constructor(
    readonly kid: string | undefined,
    cause: unknown,
  ) {
    super(`the platform refused to import ${kid === undefined ? "the key" : `key "${kid}"`}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
