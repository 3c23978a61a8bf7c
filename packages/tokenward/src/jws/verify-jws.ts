import type { CryptoBackend } from "../crypto/backend.js";
import { list } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { KeySet } from "../keys/key-set.js";
import { type JwsHeader, parseCompactJws } from "./parse.js";
import { asciiBytes, assertSignature, headerAlgorithm } from "./verify-signature.js";

export interface VerifyJwsOptions {
  /** The algorithms the caller accepts (RFC 8725 §3.1); anything else is refused before a key is looked at. */
  readonly algorithms: readonly string[];
  readonly backend: CryptoBackend;
}

export interface VerifiedJws {
  readonly header: JwsHeader;
  /** The payload bytes: any content, not necessarily JWT claims. */
  readonly payload: Uint8Array;
}

/**
 * Verifies a compact JWS against a key set, at the JWS level only (RFC 7515
 * §5.2): no JWT claims are read, so the payload may be any bytes. The steps
 * are the RFC's, in its order, and each refusal is a `TokenError`:
 * - steps 1-6: strict parsing (three segments, canonical base64url, a JSON
 *   object header with `alg`, no unknown `crit`) -> token_malformed;
 * - the algorithm must be one tokenward knows and the caller allows, never
 *   `none` (RFC 7515 §5.2 step 8 leaves the choice to the application;
 *   RFC 8725 §3.1 says to enforce it) -> algorithm_not_allowed;
 * - the key is selected by `kid` and must suit the algorithm (kty, curve, the
 *   key's own `alg`, the HMAC minimum size); no key, or two -> key_not_found;
 * - step 8: the signature over `ASCII(header || '.' || payload)` -> signature_invalid.
 */
export async function verifyJws(token: string, keys: KeySet, options: VerifyJwsOptions): Promise<VerifiedJws> {
  if (typeof token !== "string") throw new TokenError("token_malformed", { hint: `the JWS is a ${typeof token}, not a string` });
  const parsed = parseCompactJws(token);
  const { header } = parsed;

  const spec = headerAlgorithm(header);
  if (!options.algorithms.includes(spec.name)) {
    throw new TokenError("algorithm_not_allowed", { hint: `alg ${spec.name} is not allowed here; allowed: ${list([...options.algorithms])} (RFC 8725 §3.1)` });
  }

  const selection = keys.select(spec, header.kid);
  if (selection.key === undefined) {
    const ignored = keys.ignored.length === 0 ? "" : ` Ignored keys: ${keys.ignored.slice(0, 5).join("; ")}.`;
    throw new TokenError("key_not_found", { hint: `${selection.problem}.${ignored}` });
  }

  const checked = assertSignature(options.backend, spec, selection.key, asciiBytes(parsed.signingInput), parsed.signature, "the key set");
  if (checked !== undefined) await checked;
  return { header, payload: parsed.payload };
}
