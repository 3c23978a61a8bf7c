// Turns a stored key into what signing needs, once per key: a non-extractable
// CryptoKey and the public JWK. Refuses a JWK that is not a private key of
// its declared algorithm, whose kid is not its thumbprint, or whose private
// and public halves do not belong together.

import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK } from "jose";
import { MIN_RSA_BITS } from "./algorithms.js";
import { KeyStoreError } from "./errors.js";
import type { StoredKey } from "./keyset.js";
import { compactJws, nodeSigner, type SignBytes } from "./node-signer.js";
import { type PublicJwk, publicJwk } from "./public-jwk.js";

export interface ImportedKey {
  readonly stored: StoredKey;
  /** Signs; never extractable, so the private key cannot leave through this object. */
  readonly privateKey: CryptoKey;
  /** The node:crypto fast path (node-signer.ts), checked against jose at import. */
  readonly signBytes: SignBytes;
  readonly publicJwk: PublicJwk;
}

const PROBE = new TextEncoder().encode("tokenward key check");

function rsaBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let leading = 0;
  while (leading < bytes.length && bytes[leading] === 0) leading++;
  const first = bytes[leading];
  return first === undefined ? 0 : (bytes.length - leading - 1) * 8 + (32 - Math.clz32(first));
}

export async function importSigningKey(stored: StoredKey, file: string): Promise<ImportedKey> {
  const where = `${file}: the key ${stored.kid}`;
  const fix = "restore the file from a backup, or move it away and run `tokenward keys generate`";
  const { alg, privateJwk } = stored;
  if (alg === "RS256" && rsaBits(privateJwk.n ?? "") < MIN_RSA_BITS) {
    throw new KeyStoreError("invalid_key", file, `${where} is an RSA key shorter than ${MIN_RSA_BITS} bits (RFC 7518 §3.3); ${fix}`);
  }
  if ((await calculateJwkThumbprint(privateJwk, "sha256")) !== stored.kid) {
    throw new KeyStoreError("invalid_key", file, `${where} does not match its kid (the RFC 7638 thumbprint of the key); ${fix}`);
  }
  const published = publicJwk(privateJwk, stored.kid, alg);
  let privateKey: CryptoKey;
  let signBytes: SignBytes;
  try {
    const imported = await importJWK({ ...privateJwk, ext: false }, alg);
    if (!(imported instanceof CryptoKey) || imported.type !== "private") throw new Error("not a private key");
    privateKey = imported;
    // The public half is what verifiers get; prove it verifies what the private half signs.
    const probe = await new CompactSign(PROBE).setProtectedHeader({ alg }).sign(privateKey);
    const publicKey = await importJWK(published, alg);
    await compactVerify(probe, publicKey);
    // The fast path must produce what jose verifies, with this very key.
    signBytes = nodeSigner(privateJwk as Record<string, unknown>, alg);
    await compactVerify(compactJws(Buffer.from(JSON.stringify({ alg })).toString("base64url"), { probe: true }, signBytes), publicKey, { algorithms: [alg] });
  } catch {
    // jose's message may describe the key material; say only which key and what to do.
    throw new KeyStoreError("invalid_key", file, `${where} is not a usable private ${alg} key, or its public members do not belong to it; ${fix}`);
  }
  return { stored, privateKey, signBytes, publicJwk: published };
}
