// The private key of `tokenward mint --key`: a JWK, a JWK Set holding it, or
// PEM (PKCS#8, PKCS#1 or SEC1), read by node:crypto. Every refusal says what
// the file is and what to give instead; none quotes the file, since it holds
// a private key.

import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { MintError } from "./mint-error.js";

export type MintAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA" | "Ed25519";

export const MINT_ALGORITHMS: readonly MintAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

export interface PrivateKey {
  readonly key: KeyObject;
  readonly alg: MintAlgorithm;
  /** From the JWK, when it has one. */
  readonly kid: string | undefined;
}

// RFC 7518 §3.4: each ECDSA algorithm fixes its curve (node:crypto's names).
const CURVE_ALG: Readonly<Record<string, MintAlgorithm>> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };
const MIN_RSA_BITS = 2048;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pickJwk(document: Record<string, unknown>, file: string, kid: string | undefined): Record<string, unknown> {
  if (!Array.isArray(document.keys)) return document;
  const keys = document.keys.filter(isObject);
  const kids = keys.map((key) => (typeof key.kid === "string" ? JSON.stringify(key.kid) : "(no kid)")).join(", ");
  if (kid !== undefined) {
    const found = keys.find((key) => key.kid === kid);
    if (found === undefined) throw new MintError(`${file} has no key with kid ${JSON.stringify(kid)}; its keys: ${kids || "none"}`);
    return found;
  }
  if (keys.length !== 1) throw new MintError(`${file} is a JWK Set with ${keys.length} keys (${kids || "none"}); choose one with --kid`);
  return keys[0] as Record<string, unknown>;
}

function fromJwk(jwk: Record<string, unknown>, file: string): KeyObject {
  if (jwk.kty === "oct") {
    throw new MintError(
      `${file} holds a symmetric (oct) key; mint signs with a private key (RSA, EC or Ed25519), whose public half verifiers fetch from a JWKS`,
    );
  }
  if (jwk.d === undefined) throw new MintError(`${file} holds a public JWK (no "d"); mint needs the private key`);
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch {
    throw new MintError(`${file} is not a usable private JWK (kty RSA, EC or OKP with its private members, RFC 7518 §6)`);
  }
}

function fromPem(text: string, file: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new MintError(`${file} is an encrypted private key; decrypt a copy for testing (openssl pkey -in ${file} -out plain.pem) and give that`);
  }
  if (/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(text) && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new MintError(`${file} holds a public key or a certificate; mint needs the private key`);
  }
  try {
    return createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new MintError(`${file} is not a PEM private key mint can read (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY")`);
  }
}

function defaultAlgorithm(key: KeyObject, file: string): MintAlgorithm {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return "RS256";
    case "rsa-pss":
      return "PS256";
    case "ec": {
      const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ""];
      if (alg === undefined) throw new MintError(`${file}: EC curve ${key.asymmetricKeyDetails?.namedCurve} is not one of P-256, P-384, P-521 (RFC 7518 §3.4)`);
      return alg;
    }
    case "ed25519":
      return "EdDSA";
    default:
      throw new MintError(`${file}: a ${key.asymmetricKeyType} key cannot sign a JWS that tokenward verifies; use RSA, EC (P-256, P-384, P-521) or Ed25519`);
  }
}

/** Whether `alg` can be computed with `key` (RFC 7518 §3, RFC 8037 §3.1). */
function suits(alg: MintAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith("RS")) return type === "rsa";
  if (alg.startsWith("PS")) return type === "rsa" || type === "rsa-pss";
  if (alg.startsWith("ES")) return type === "ec" && CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ""] === alg;
  return type === "ed25519";
}

export function readPrivateKey(text: string, file: string, options: { alg?: string | undefined; kid?: string | undefined } = {}): PrivateKey {
  const trimmed = text.trim();
  let key: KeyObject;
  let jwkKid: string | undefined;
  let jwkAlg: string | undefined;
  if (trimmed.startsWith("{")) {
    let document: unknown;
    try {
      document = JSON.parse(trimmed);
    } catch {
      throw new MintError(`${file} starts like JSON but is not JSON; give a private JWK, or a PEM file`);
    }
    if (!isObject(document)) throw new MintError(`${file} is not a JSON object; give a private JWK`);
    const jwk = pickJwk(document, file, options.kid);
    key = fromJwk(jwk, file);
    jwkKid = typeof jwk.kid === "string" ? jwk.kid : undefined;
    jwkAlg = typeof jwk.alg === "string" ? jwk.alg : undefined;
  } else if (trimmed.includes("-----BEGIN")) {
    key = fromPem(trimmed, file);
  } else {
    throw new MintError(`${file} is neither a JWK (JSON) nor PEM; give a private key in one of those forms`);
  }
  const requested = options.alg ?? jwkAlg;
  if (requested !== undefined && !(MINT_ALGORITHMS as readonly string[]).includes(requested)) {
    throw new MintError(
      `${options.alg === undefined ? `${file}: the JWK's alg` : "--alg"} ${JSON.stringify(requested)} is not one mint signs with: ${MINT_ALGORITHMS.join(", ")}`,
    );
  }
  const alg = (requested as MintAlgorithm | undefined) ?? defaultAlgorithm(key, file);
  if (!suits(alg, key))
    throw new MintError(`${alg} cannot be used with the ${key.asymmetricKeyType} key in ${file}; pick the algorithm of that key (or leave --alg out)`);
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    throw new MintError(
      `${file} is a ${bits}-bit RSA key; verifiers refuse RSA keys under ${MIN_RSA_BITS} bits (RFC 7518 §3.3), so nothing could verify the token. Make one: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`,
    );
  }
  return { key, alg, kid: options.kid ?? jwkKid };
}
