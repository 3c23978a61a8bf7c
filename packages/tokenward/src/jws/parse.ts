import { show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import { decodeCanonical } from "./base64url.js";
import { decodeUtf8 } from "./utf8.js";

/** The JOSE header of a JWS (RFC 7515 §4). */
export interface JwsHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

export interface ParsedJws {
  readonly header: JwsHeader;
  /** The second segment, decoded. */
  readonly payload: Uint8Array;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: what was signed (RFC 7515 §5.2 step 8). */
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

function malformed(hint: string): TokenError {
  return new TokenError("token_malformed", { hint });
}

/** Decodes one base64url segment holding a JSON object (RFC 7515 §5.2 steps 2-4, RFC 7519 §7.2 steps 7-10). */
export function parseJsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeCanonical(segment);
  if (bytes === undefined) throw malformed(`the ${what} is not canonical base64url (RFC 7515 §2: no padding, whitespace or stray characters)`);
  const text = decodeUtf8(bytes);
  if (text === undefined) throw malformed(`the ${what} is not valid UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`the ${what} is not valid JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Checks the parameters every JWS header must get right, whatever the policy. */
export function checkHeader(header: Record<string, unknown>): JwsHeader {
  if (typeof header.alg !== "string" || header.alg === "") throw malformed('the header has no "alg" string (RFC 7515 §4.1.1)');
  // RFC 7515 §4.1.11: a verifier must refuse critical extensions it does not
  // understand, and tokenward understands none.
  if (header.crit !== undefined) throw malformed(`the header marks ${show(header.crit)} as critical; tokenward understands no JWS extensions`);
  // RFC 7797: an unencoded payload (b64: false) is not a JWT.
  if (header.b64 !== undefined && header.b64 !== true) throw malformed('the header sets "b64": unencoded payloads (RFC 7797) are not accepted');
  if (header.kid !== undefined && typeof header.kid !== "string") throw malformed('the header "kid" is not a string (RFC 7515 §4.1.4)');
  if (header.typ !== undefined && typeof header.typ !== "string") throw malformed('the header "typ" is not a string (RFC 7515 §4.1.9)');
  return header as JwsHeader;
}

/** Finds the two dots of a compact JWS, or says what else the string is. */
export function splitCompact(token: string): [number, number] {
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1) throw malformed("a compact JWS has three base64url segments separated by dots; this token has fewer");
  if (token.indexOf(".", second + 1) !== -1) {
    const parts = token.split(".").length;
    throw malformed(
      parts === 5
        ? "the token has five segments: it is an encrypted JWT (JWE); tokenward verifies signed JWTs (JWS)"
        : `a compact JWS has three segments; this token has ${parts}`,
    );
  }
  if (first === 0) throw malformed("the header segment is empty");
  return [first, second];
}

/**
 * Strict compact JWS parsing (RFC 7515 §7.1 and §5.2): exactly three
 * segments, canonical base64url, a JSON-object header with an `alg`. The
 * payload may be any bytes here; JWT rules are applied by the verifier.
 */
export function parseCompactJws(token: string): ParsedJws {
  const [first, second] = splitCompact(token);
  const header = checkHeader(parseJsonSegment(token.slice(0, first), "header"));
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  const payload = decodeCanonical(payloadSegment);
  if (payload === undefined) throw malformed("the payload is not canonical base64url (RFC 7515 §2)");
  const signature = decodeCanonical(signatureSegment);
  if (signature === undefined) throw malformed("the signature is not canonical base64url (RFC 7515 §2)");
  return { header, payload, signingInput: token.slice(0, second), signature };
}
