import { TokenError } from "../errors/token-error.js";
import { decodeBase64url, isCanonicalBase64url } from "./base64url.js";
import { decodeUtf8 } from "./utf8.js";

export interface DecodedToken {
  /** Always false: nothing here was verified. */
  readonly verified: false;
  readonly header: unknown;
  readonly payload: unknown;
  readonly signatureBytes: number;
  /** What strict verification would refuse in the token's shape (not its signature or claims). */
  readonly problems: readonly string[];
}

function lenient(segment: string, what: string, problems: string[]): unknown {
  if (!isCanonicalBase64url(segment)) problems.push(`the ${what} is not canonical base64url (RFC 7515 §2)`);
  const cleaned = segment.replace(/=+$/, "").replace(/[^A-Za-z0-9_-]/g, "");
  const text = decodeUtf8(decodeBase64url(cleaned.length % 4 === 1 ? cleaned.slice(0, -1) : cleaned));
  if (text === undefined) {
    problems.push(`the ${what} is not UTF-8`);
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) problems.push(`the ${what} is not a JSON object`);
    return value;
  } catch {
    problems.push(`the ${what} is not JSON`);
    return text;
  }
}

/**
 * Reads a token's header and payload WITHOUT verifying anything, for
 * debugging and the `tokenward decode` command. Never base an access
 * decision on it: anyone can write anything into an unverified token.
 */
export function decodeUnverified(token: string): DecodedToken {
  if (typeof token !== "string" || token.trim() === "") throw new TokenError("token_missing", { hint: "no token to decode" });
  const parts = token.trim().split(".");
  if (parts.length === 5)
    throw new TokenError("token_malformed", { hint: "the token has five segments: an encrypted JWT (JWE), which cannot be read without the decryption key" });
  if (parts.length !== 3) throw new TokenError("token_malformed", { hint: `a compact JWS has three dot-separated segments; this has ${parts.length}` });
  const problems: string[] = [];
  if (token !== token.trim()) problems.push("the token has surrounding whitespace");
  const header = lenient(parts[0] as string, "header", problems);
  const payload = lenient(parts[1] as string, "payload", problems);
  const signature = parts[2] as string;
  if (!isCanonicalBase64url(signature)) problems.push("the signature is not canonical base64url (RFC 7515 §2)");
  const signatureBytes = isCanonicalBase64url(signature) ? decodeBase64url(signature).length : 0;
  return { verified: false, header, payload, signatureBytes, problems };
}
