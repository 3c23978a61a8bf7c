// A client's inline public keys for private_key_jwt (RFC 7523 §2.2). Each key
// is read by tokenward's own JWK rules (the same code that will verify the
// client's assertions), one at a time, so a problem names the key at fault
// instead of surfacing at the first assertion.

import { ConfigError, createVerifier } from "tokenward";
import type { Checker } from "./checker.js";
import { child } from "./path.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MAX_KEYS = 100;

function keyProblem(jwk: Record<string, unknown>): string | undefined {
  if (jwk.kty === "oct") return 'is a symmetric ("oct") key; private_key_jwt needs the client\'s public key (RSA, EC or OKP)';
  const leaked = PRIVATE_MEMBERS.find((member) => Object.hasOwn(jwk, member));
  if (leaked !== undefined) {
    return `holds private key material (${JSON.stringify(leaked)}); configure only the public key (jose: exportJWK(publicKey)) and keep the private key with the client`;
  }
  try {
    createVerifier({ issuers: [{ issuer: "client", audience: "issuer", jwks: { keys: [jwk] } }], cache: false });
    return undefined;
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    // "issuers[0].jwks: no usable key: key "a": RSA modulus of 1024 bits; ..." -> the reason alone.
    return `is not usable: ${error.message.replace(/^.*?no usable key: /, "")}`;
  }
}

export function readClientJwks(checker: Checker, path: string, value: unknown): { keys: Record<string, unknown>[] } | undefined {
  const fields = checker.object(path, value, ["keys"]);
  if (fields === undefined) return undefined;
  const keys = checker.list(child(path, "keys"), fields.keys, { minItems: 1, maxItems: MAX_KEYS, unique: false, what: "public JWKs" }, (keyPath, raw) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      checker.report(keyPath, "must be a JWK object");
      return undefined;
    }
    const jwk = raw as Record<string, unknown>;
    const problem = keyProblem(jwk);
    if (problem !== undefined) {
      checker.report(keyPath, problem);
      return undefined;
    }
    return { ...jwk };
  });
  return keys === undefined ? undefined : { keys };
}
