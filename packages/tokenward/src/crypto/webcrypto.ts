import type { AlgorithmSpec } from "../jws/algorithms.js";
import type { VerificationKey } from "../keys/verification-key.js";
import { type CryptoBackend, KeyImportError } from "./backend.js";

type Params = AlgorithmIdentifier | RsaPssParams | EcdsaParams;

function params(alg: AlgorithmSpec): Params {
  const hash = `SHA-${alg.hash?.slice(3) ?? "256"}`;
  switch (alg.family) {
    case "RSA":
      return { name: "RSASSA-PKCS1-v1_5" };
    case "PSS":
      return { name: "RSA-PSS", saltLength: alg.hashBytes };
    case "EC":
      return { name: "ECDSA", hash };
    case "OKP":
      return { name: "Ed25519" };
    case "HMAC":
      return { name: "HMAC" };
  }
}

// Loaded on first use: Node never needs it on the hot path, and a dynamic
// import keeps the CommonJS build working although jose is ESM-only.
let jose: Promise<typeof import("jose")> | undefined;

async function importFor(key: VerificationKey, alg: AlgorithmSpec): Promise<CryptoKey> {
  try {
    jose ??= import("jose");
    const { importJWK } = await jose;
    const imported = await importJWK({ ...key.jwk }, alg.name);
    if (imported instanceof Uint8Array) {
      return await crypto.subtle.importKey("raw", imported as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: `SHA-${alg.hash?.slice(3)}` }, false, ["verify"]);
    }
    return imported;
  } catch (cause) {
    throw new KeyImportError(key.kid, cause);
  }
}

/**
 * For runtimes without node:crypto (Workers, browsers, Deno without Node
 * compatibility): `jose` imports the JWK, WebCrypto verifies. Each key is
 * imported once per algorithm, since a CryptoKey is bound to one.
 */
export function createWebCryptoBackend(): CryptoBackend {
  return {
    name: "webcrypto",
    async verify(alg, key, data, signature) {
      const slot = `webcrypto:${alg.name}`;
      let pending = key.imported.get(slot) as Promise<CryptoKey> | undefined;
      if (pending === undefined) {
        pending = importFor(key, alg);
        // Remember failures too, so a bad key is not re-imported per request.
        pending.catch(() => undefined);
        key.imported.set(slot, pending);
      }
      const cryptoKey = await pending;
      try {
        return await crypto.subtle.verify(params(alg), cryptoKey, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
      } catch {
        return false;
      }
    },
  };
}
