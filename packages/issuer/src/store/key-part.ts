// One user-controlled part of a store key (a jti, a client id, a namespace),
// made safe to embed: short plain values stay readable (an operator can find a
// client's rate-limit key in Redis), anything else becomes a fixed-size digest,
// so a hostile 10 KB jti cannot make a 10 KB key, and a ':' inside a value
// cannot forge the boundary between two parts.

import { createHash } from "node:crypto";

/** Plain values: no ':' (the separator) and no '#' (the mark of a digest), so the mapping is injective. */
const PLAIN = /^[A-Za-z0-9._~@+=-]{1,64}$/;

/**
 * Returns `value` itself when it is 1-64 characters of [A-Za-z0-9._~@+=-],
 * otherwise `#` and the base64url SHA-256 of its UTF-16 code units (45
 * characters). Distinct inputs give distinct outputs (up to SHA-256
 * collisions); the result never contains ':'.
 */
export function keyPart(value: string): string {
  if (PLAIN.test(value)) return value;
  // UTF-16 code units, not UTF-8: UTF-8 encoding replaces lone surrogates with
  // U+FFFD, which would make "\uD800" and "\uFFFD" the same key (a false replay).
  return `#${createHash("sha256").update(Buffer.from(value, "utf16le")).digest("base64url")}`;
}
