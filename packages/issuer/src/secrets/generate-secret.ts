import { randomBytes } from "node:crypto";

/**
 * A new client secret: 32 random bytes (256 bits), base64url. Its characters
 * (A-Z a-z 0-9 - _) are all unreserved, so form-urlencoding it for HTTP Basic
 * (RFC 6749 Appendix B) changes nothing: encoded and raw senders agree.
 */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}
