import { KeyObject } from "node:crypto";
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK } from "jose";
import { invalidOption, show } from "./errors.js";

/** The signing algorithms a mock issuer can publish keys for (RFC 7518 §3.1, RFC 8037 §3.1). */
export const MOCK_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
export type MockAlgorithm = (typeof MOCK_ALGORITHMS)[number];

/** A key you bring instead of a generated one. */
export interface MockKeyInput {
  readonly alg: MockAlgorithm;
  /** The private key: a JWK with its private members, a PKCS#8 PEM, a node KeyObject, or an extractable CryptoKey. */
  readonly privateKey: JWK | string | KeyObject | CryptoKey;
  /** Default: the key's RFC 7638 thumbprint. */
  readonly kid?: string;
}

/** A public key as the JWKS publishes it. */
export interface PublishedJwk extends JWK {
  readonly kid: string;
  readonly alg: MockAlgorithm;
  readonly use: "sig";
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: MockAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublishedJwk;
}

// RFC 7517 §4, RFC 7518 §6: the members that make a JWK private (or secret).
const PRIVATE_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "oth", "k"]);

export function isMockAlgorithm(value: unknown): value is MockAlgorithm {
  return typeof value === "string" && (MOCK_ALGORITHMS as readonly string[]).includes(value);
}

function publicMembers(jwk: JWK): JWK {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(jwk)) {
    if (!PRIVATE_MEMBERS.has(name) && !["kid", "alg", "use", "key_ops", "ext"].includes(name)) out[name] = value;
  }
  return out as JWK;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof globalThis.CryptoKey === "function" && value instanceof globalThis.CryptoKey;
}

async function privateJwkOf(input: MockKeyInput, field: string): Promise<JWK> {
  const key = input.privateKey;
  if (typeof key === "string") {
    try {
      return await exportJWK(await importPKCS8(key, input.alg, { extractable: true }));
    } catch {
      throw invalidOption(field, `is not a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----") of a kind that signs ${input.alg}`);
    }
  }
  if (key instanceof KeyObject) {
    if (key.type !== "private") throw invalidOption(field, `is a ${key.type} KeyObject; give the private key (the JWKS is derived from it)`);
    return key.export({ format: "jwk" }) as JWK;
  }
  if (isCryptoKey(key)) {
    if (key.type !== "private") throw invalidOption(field, `is a ${key.type} CryptoKey; give the private key (the JWKS is derived from it)`);
    if (!key.extractable) throw invalidOption(field, "is a non-extractable CryptoKey; generate it with { extractable: true }, or give its JWK");
    return exportJWK(key);
  }
  if (typeof key !== "object" || key === null || typeof (key as JWK).kty !== "string") {
    throw invalidOption(field, "must be a private JWK, a PKCS#8 PEM string, a KeyObject or a CryptoKey");
  }
  if (typeof (key as JWK).d !== "string") throw invalidOption(field, "is a public JWK; the mock signs, so it needs the private key (with `d`)");
  return key as JWK;
}

/** Imports a key you bring: checks it fits its algorithm, derives the public JWK and its kid. */
export async function importKey(input: MockKeyInput, field: string): Promise<SigningKey> {
  if (typeof input !== "object" || input === null) throw invalidOption(field, "must be { alg, privateKey, kid? }");
  if (!isMockAlgorithm(input.alg)) throw invalidOption(`${field}.alg`, `${show(input.alg)} is not one of ${MOCK_ALGORITHMS.join(", ")}`);
  if (input.kid !== undefined && (typeof input.kid !== "string" || input.kid === "")) throw invalidOption(`${field}.kid`, "must be a non-empty string");
  const jwk = await privateJwkOf(input, `${field}.privateKey`);
  // RFC 7518 §3.3: RSA keys of 2048 bits or more; verifiers (tokenward among them) refuse smaller ones.
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && Buffer.from(jwk.n, "base64url").length * 8 < 2048) {
    throw invalidOption(`${field}.privateKey`, "is an RSA key under 2048 bits, which verifiers refuse (RFC 7518 §3.3); use 2048 bits or more");
  }
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  const publicJwk = publicMembers(jwk);
  try {
    privateKey = (await importJWK({ ...jwk, alg: input.alg }, input.alg)) as CryptoKey;
    publicKey = (await importJWK({ ...publicJwk, alg: input.alg }, input.alg)) as CryptoKey;
  } catch {
    throw invalidOption(
      `${field}.privateKey`,
      `a ${jwk.kty}${jwk.crv === undefined ? "" : ` ${jwk.crv}`} key cannot sign ${input.alg}; choose the algorithm that fits the key`,
    );
  }
  const kid = input.kid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid, alg: input.alg, privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: input.alg, use: "sig" } };
}

/** A fresh key pair for `alg` (RSA 2048 bits, P-256/384/521, Ed25519); its kid is its RFC 7638 thumbprint. */
export async function generateKey(alg: MockAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = publicMembers(await exportJWK(publicKey));
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg, use: "sig" } };
}
