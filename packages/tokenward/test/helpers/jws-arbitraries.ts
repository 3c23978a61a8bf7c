import fc from "fast-check";
import type { TestKey } from "./keys.js";

/**
 * Shared pieces for property tests of JWS parsing: raw JSON text (which
 * `JSON.stringify` could never produce: duplicate keys, `__proto__` keys,
 * numbers beyond double range, escaped lone surrogates, deep nesting) and a
 * signer that signs any two segments exactly as given, so that a test can
 * build tokens `SignJWT` refuses to make.
 */

/** Keys with a meaning somewhere: registered claims and header parameters, and names that poke at prototypes. */
export const INTERESTING_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "scope",
  "scp",
  "roles",
  "groups",
  "permissions",
  "realm_access",
  "tid",
  "alg",
  "kid",
  "typ",
  "crit",
  "b64",
  "jku",
  "jwk",
  "x5u",
  "cty",
] as const;

/** Number literals JSON allows but doubles cannot all hold: overflow to ±Infinity, underflow, -0, more digits than a double keeps. */
export const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "1e400",
    "-1e400",
    "-0",
    "0",
    "1E+2",
    "123456789012345678901234567890",
    "4.9e-324",
    "1e-400",
    "1.7976931348623157e308",
    "0.1",
    "9007199254740993",
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
);

/** String literals, some with escapes for lone surrogates and control characters. */
export const stringLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }).map((value) => JSON.stringify(value)),
  fc.string({ unit: "binary", maxLength: 12 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"\u2028\u2029"', '"\\/"', '"é"', '"\u{1f511}"', '""'),
);

export const keyLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INTERESTING_KEYS).map((key) => JSON.stringify(key)),
  stringLiteral,
);

/** Nesting as deep as `depth`, as an array or an object. */
export function deepLiteral(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Any JSON value as raw text; rarely, nesting deep enough to reach a 16 KiB token limit. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberLiteral,
    stringLiteral,
    fc.constantFrom("true", "false", "null"),
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
  object: fc.array(fc.tuple(keyLiteral, tie("value")), { maxLength: 5 }).map((entries) => `{${entries.map(([key, value]) => `${key}:${value}`).join(",")}}`),
})).value;

export const deepText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 6000 }), fc.constantFrom("array" as const, "object" as const))
  .map(([depth, kind]) => deepLiteral(kind === "object" ? Math.ceil(depth / 3) : depth, kind));

/** A JSON object as raw text, its members drawn from the interesting names, possibly repeated (the last wins in JSON.parse). */
export function objectText(
  value: fc.Arbitrary<string> = fc.oneof({ weight: 9, arbitrary: jsonText }, { weight: 1, arbitrary: deepText }),
): fc.Arbitrary<string> {
  return fc.array(fc.tuple(keyLiteral, value), { maxLength: 6 }).map((entries) => `{${entries.map(([key, item]) => `${key}:${item}`).join(",")}}`);
}

/** A JSON object as raw text from ordered [name, raw JSON value] members. */
export function membersText(members: readonly (readonly [string, string])[]): string {
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(",")}}`;
}

export function b64text(text: string | Uint8Array): string {
  return Buffer.from(text).toString("base64url");
}

/** WebCrypto parameters to sign with a test key (RFC 7518 §3.3-3.5, RFC 8037 §3.1). */
export function signingParams(key: TestKey): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  switch (key.alg) {
    case "RS256":
    case "RS384":
    case "RS512":
      return { name: "RSASSA-PKCS1-v1_5" };
    case "PS256":
    case "PS384":
    case "PS512":
      return { name: "RSA-PSS", saltLength: Number(key.alg.slice(2)) / 8 };
    case "ES256":
    case "ES384":
    case "ES512":
      return { name: "ECDSA", hash: `SHA-${key.alg.slice(2)}` };
    case "EdDSA":
    case "Ed25519":
      return { name: "Ed25519" };
  }
}

/** Signs `headerSegment.payloadSegment` exactly as given (however it is spelled) and returns the compact token. */
export async function signSegments(key: TestKey, headerSegment: string, payloadSegment: string): Promise<string> {
  const input = `${headerSegment}.${payloadSegment}`;
  const signature = await crypto.subtle.sign(signingParams(key), key.privateKey, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}
