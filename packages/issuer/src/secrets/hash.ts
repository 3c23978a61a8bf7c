// Client secrets are stored only as slow salted hashes (scrypt, RFC 7914):
// a leaked configuration file does not hand out working credentials.

import { randomBytes, timingSafeEqual } from "node:crypto";
import { scrypt } from "./scrypt.js";
import { DEFAULT_SCRYPT, formatSecretHash, KEY_BYTES, parseSecretHash, SALT_BYTES, type SecretHash, SecretHashError } from "./secret-hash-format.js";

/** Hashes a client secret for the configuration: `scrypt$15$8$1$<salt>$<hash>`, a fresh 16-byte salt each time. */
export async function hashSecret(secret: string): Promise<string> {
  if (typeof secret !== "string" || secret === "") throw new TypeError("hashSecret needs a non-empty secret string");
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(secret, salt, KEY_BYTES, DEFAULT_SCRYPT);
  return formatSecretHash({ ...DEFAULT_SCRYPT, salt, hash });
}

/**
 * Whether `secret` is the one `encoded` was made from. The comparison is
 * constant-time (crypto.timingSafeEqual). A malformed `encoded` rejects with
 * a SecretHashError instead of answering false: that is a configuration
 * fault to fix, not a wrong secret (resolveConfig refuses such hashes first).
 */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  let parsed: SecretHash;
  try {
    parsed = parseSecretHash(encoded);
  } catch (error) {
    if (error instanceof SecretHashError) throw new SecretHashError(`the encoded secret hash ${error.message}`);
    throw error;
  }
  if (typeof secret !== "string" || secret === "") return false;
  const candidate = await scrypt(secret, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(candidate, parsed.hash);
}
