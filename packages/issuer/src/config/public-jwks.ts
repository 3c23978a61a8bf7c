// Inline public keys: a client's for private_key_jwt (RFC 7523 §2.2), a
// trusted identity provider's for ID-JAGs. Each key is read by tokenward's
// own JWK rules (the same code that will verify what they sign), one at a
// time, so a problem names the key at fault instead of surfacing at the
// first assertion.

import { ConfigError, createVerifier } from "tokenward";
import type { Checker } from "./checker.js";
import { child } from "./path.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const MAX_KEYS = 100;

/** Whose keys are read: the last part of two refusals, so each names the right party. */
export interface JwksOwner {
  /** Why a symmetric key cannot be theirs. */
  readonly symmetric: string;
  /** What to configure instead of private key material. */
  readonly leaked: string;
}

export const CLIENT_KEYS: JwksOwner = {
  symmetric: "private_key_jwt needs the client's public key (RSA, EC or OKP)",
  leaked: "configure only the public key (jose: exportJWK(publicKey)) and keep the private key with the client",
};

export const IDENTITY_PROVIDER_KEYS: JwksOwner = {
  symmetric: "an identity provider signs ID-JAGs with a private key: configure its public key (RSA, EC or OKP)",
  leaked: "configure only the identity provider's public key",
};

function keyProblem(jwk: Record<string, unknown>, owner: JwksOwner): string | undefined {
  if (jwk.kty === "oct") return `is a symmetric ("oct") key; ${owner.symmetric}`;
  const leaked = PRIVATE_MEMBERS.find((member) => Object.hasOwn(jwk, member));
  if (leaked !== undefined) return `holds private key material (${JSON.stringify(leaked)}); ${owner.leaked}`;
  try {
    createVerifier({ issuers: [{ issuer: "signer", audience: "this-server", jwks: { keys: [jwk] } }], cache: false });
    return undefined;
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    // "issuers[0].jwks: no usable key: key "a": RSA modulus of 1024 bits; ..." -> the reason alone.
    return `is not usable: ${error.message.replace(/^.*?no usable key: /, "")}`;
  }
}

/** An inline JWKS of public keys, each checked by tokenward's JWK rules; undefined (with problems reported) when unusable. */
export function readPublicJwks(checker: Checker, path: string, value: unknown, owner: JwksOwner): { keys: Record<string, unknown>[] } | undefined {
  const fields = checker.object(path, value, ["keys"]);
  if (fields === undefined) return undefined;
  const keys = checker.list(child(path, "keys"), fields.keys, { minItems: 1, maxItems: MAX_KEYS, unique: false, what: "public JWKs" }, (keyPath, raw) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      checker.report(keyPath, "must be a JWK object");
      return undefined;
    }
    const jwk = raw as Record<string, unknown>;
    const problem = keyProblem(jwk, owner);
    if (problem !== undefined) {
      checker.report(keyPath, problem);
      return undefined;
    }
    return { ...jwk };
  });
  return keys === undefined ? undefined : { keys };
}
