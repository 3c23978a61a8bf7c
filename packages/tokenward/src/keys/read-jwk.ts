import { show } from "../errors/hints.js";
import { decodeBase64url, isCanonicalBase64url } from "../jws/base64url.js";
import { hasRocaFingerprint } from "./roca.js";
import type { VerificationKey } from "./verification-key.js";

export type JwkReading = { key: VerificationKey; ignored?: undefined } | { key?: undefined; ignored: string };

// RFC 7518 §6.2.1.2-3: EC coordinates are exactly the curve's field size.
const EC_COORDINATE_BYTES: Readonly<Record<string, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"];
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;

function describe(kid: unknown): string {
  return typeof kid === "string" ? `key ${show(kid)}` : "a key without kid";
}

function bytesOf(jwk: Record<string, unknown>, member: string): Uint8Array | undefined {
  const value = jwk[member];
  if (typeof value !== "string" || !isCanonicalBase64url(value)) return undefined;
  return decodeBase64url(value);
}

function significantBytes(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/**
 * Reads one member of a JWK Set (RFC 7517 §4-5) into a verification key, or
 * says in one line why it is ignored. A key is ignored rather than trusted
 * when it is not for signatures (`use`, `key_ops`), exposes private material,
 * is too weak (RSA under 2048 bits, exponent 1, the ROCA fingerprint) or is
 * malformed. Symmetric (`oct`) keys are only read from configured secrets,
 * never from a published JWKS.
 */
export function readJwk(value: unknown, options: { symmetric: boolean }): JwkReading {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ignored: "a member of keys is not a JSON object" };
  }
  const jwk = value as Record<string, unknown>;
  const name = describe(jwk.kid);
  if (jwk.kid !== undefined && typeof jwk.kid !== "string") return { ignored: `${name}: kid is not a string` };
  const kid = jwk.kid as string | undefined;
  if (jwk.alg !== undefined && typeof jwk.alg !== "string") return { ignored: `${name}: alg is not a string` };
  const alg = jwk.alg as string | undefined;

  // RFC 7517 §4.2-4.3: a key published for encryption must not verify signatures.
  if (jwk.use !== undefined && jwk.use !== "sig") return { ignored: `${name}: use is ${JSON.stringify(jwk.use)}, not "sig"` };
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.every((op) => typeof op === "string")) {
      return { ignored: `${name}: key_ops is not an array of strings` };
    }
    if (!jwk.key_ops.includes("verify")) return { ignored: `${name}: key_ops does not include "verify"` };
  }
  const issuer = typeof jwk.issuer === "string" ? jwk.issuer : undefined;

  switch (jwk.kty) {
    case "RSA": {
      const leaked = PRIVATE_MEMBERS.find((member) => jwk[member] !== undefined);
      if (leaked !== undefined) return { ignored: `${name}: publishes private key material ("${leaked}"), so anyone can sign with it` };
      const n = bytesOf(jwk, "n");
      const e = bytesOf(jwk, "e");
      if (n === undefined || e === undefined) return { ignored: `${name}: n or e is missing or not base64url` };
      const modulus = significantBytes(n);
      const exponent = significantBytes(e);
      const bits = modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24;
      if (bits < MIN_RSA_BITS) return { ignored: `${name}: RSA modulus of ${bits} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3)` };
      if (bits > MAX_RSA_BITS) return { ignored: `${name}: RSA modulus of ${bits} bits exceeds ${MAX_RSA_BITS}` };
      const lastExponentByte = exponent[exponent.length - 1] ?? 0;
      if (exponent.length > 32 || (exponent.length === 1 && lastExponentByte < 3) || (lastExponentByte & 1) === 0) {
        return { ignored: `${name}: RSA public exponent is not an odd number from 3 up to 2^256` };
      }
      if (hasRocaFingerprint(modulus)) return { ignored: `${name}: RSA modulus has the ROCA fingerprint (CVE-2017-15361)` };
      return {
        key: freezeKey({
          kid,
          kty: "RSA",
          crv: undefined,
          alg,
          issuer,
          modulusBytes: modulus.length,
          secretBytes: 0,
          jwk: { kty: "RSA", n: jwk.n as string, e: jwk.e as string },
        }),
      };
    }
    case "EC": {
      if (jwk.d !== undefined) return { ignored: `${name}: publishes private key material ("d"), so anyone can sign with it` };
      const crv = jwk.crv;
      const size = typeof crv === "string" ? EC_COORDINATE_BYTES[crv] : undefined;
      if (size === undefined) return { ignored: `${name}: unsupported EC curve ${JSON.stringify(crv)}` };
      const x = bytesOf(jwk, "x");
      const y = bytesOf(jwk, "y");
      if (x?.length !== size || y?.length !== size) return { ignored: `${name}: x and y must be ${size}-byte base64url coordinates for ${crv}` };
      return {
        key: freezeKey({
          kid,
          kty: "EC",
          crv: crv as string,
          alg,
          issuer,
          modulusBytes: 0,
          secretBytes: 0,
          jwk: { kty: "EC", crv: crv as string, x: jwk.x as string, y: jwk.y as string },
        }),
      };
    }
    case "OKP": {
      if (jwk.d !== undefined) return { ignored: `${name}: publishes private key material ("d"), so anyone can sign with it` };
      if (jwk.crv !== "Ed25519") return { ignored: `${name}: unsupported OKP curve ${JSON.stringify(jwk.crv)} (Ed25519 is supported)` };
      if (bytesOf(jwk, "x")?.length !== 32) return { ignored: `${name}: x must be a 32-byte base64url Ed25519 public key` };
      return {
        key: freezeKey({
          kid,
          kty: "OKP",
          crv: "Ed25519",
          alg,
          issuer,
          modulusBytes: 0,
          secretBytes: 0,
          jwk: { kty: "OKP", crv: "Ed25519", x: jwk.x as string },
        }),
      };
    }
    case "oct": {
      if (!options.symmetric)
        return { ignored: `${name}: symmetric (oct) keys are never taken from a JWKS; configure HMAC secrets with the issuer's \`secret\` option` };
      const k = bytesOf(jwk, "k");
      if (k === undefined || k.length === 0) return { ignored: `${name}: k is missing, empty or not base64url` };
      return {
        key: freezeKey({ kid, kty: "oct", crv: undefined, alg, issuer, modulusBytes: 0, secretBytes: k.length, jwk: { kty: "oct", k: jwk.k as string } }),
      };
    }
    default:
      return { ignored: `${name}: unsupported kty ${JSON.stringify(jwk.kty)}` };
  }
}

function freezeKey(fields: Omit<VerificationKey, "imported">): VerificationKey {
  return Object.freeze({ ...fields, jwk: Object.freeze(fields.jwk), imported: new Map<string, unknown>() });
}
