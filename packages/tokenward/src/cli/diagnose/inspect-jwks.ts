import { show } from "../../errors/hints.js";
import { JWKS_DEFAULTS } from "../../jwks/options.js";
import { decodeBase64url, isCanonicalBase64url } from "../../jws/base64url.js";
import { KeySet, KeySetFormatError } from "../../keys/key-set.js";
import { readJwk } from "../../keys/read-jwk.js";
import { bare } from "./format.js";

/** One member of a JWK Set as a diagnosis shows it: public facts only, never a key's value. */
export interface KeyReport {
  readonly kid: string | undefined;
  readonly kty: string | undefined;
  readonly crv: string | undefined;
  readonly alg: string | undefined;
  readonly use: string | undefined;
  /** The RSA modulus size in bits. */
  readonly bits: number | undefined;
  readonly usable: boolean;
  /** Why verification ignores the key. */
  readonly problem: string | undefined;
  /** Published for something other than signatures (`use`, `key_ops`): ignored, and rightly so. */
  readonly notForSignatures: boolean;
  /** An RSA modulus under 2048 bits (RFC 7518 §3.3). */
  readonly weak: boolean;
  /** Private members (d, p, q...) are published: anyone can sign with the key. Their values are never kept. */
  readonly privateMaterial: boolean;
}

/** Several members claiming one kid for signatures with the same key type: a verifier cannot tell which is meant. */
export interface DuplicateKid {
  readonly kid: string;
  readonly kty: string;
  readonly count: number;
}

export interface JwksReport {
  /** Set when the document is not a JWK Set at all (RFC 7517 §5). */
  readonly formatError: string | undefined;
  readonly keys: readonly KeyReport[];
  /** The keys tokenward verifies with, as the verifier reads them. */
  readonly keySet: KeySet | undefined;
  readonly duplicates: readonly DuplicateKid[];
  /** Members beyond the verifier's limit, not read. */
  readonly unread: number;
}

const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function rsaBits(n: unknown): number | undefined {
  if (typeof n !== "string" || !isCanonicalBase64url(n)) return undefined;
  const bytes = decodeBase64url(n);
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const first = bytes[start];
  return first === undefined ? 0 : (bytes.length - start - 1) * 8 + (32 - Math.clz32(first));
}

/** RFC 7517 §4.2-4.3: a member published for encryption (or without "verify") is not a signing key. */
function forSignatures(member: Record<string, unknown>): boolean {
  if (member.use !== undefined && member.use !== "sig") return false;
  return !(Array.isArray(member.key_ops) && !member.key_ops.includes("verify"));
}

function describeMember(member: unknown): KeyReport {
  const reading = readJwk(member, { symmetric: false });
  const jwk = typeof member === "object" && member !== null && !Array.isArray(member) ? (member as Record<string, unknown>) : {};
  const kty = text(jwk.kty);
  const bits = kty === "RSA" ? rsaBits(jwk.n) : undefined;
  return {
    kid: text(jwk.kid),
    kty,
    crv: text(jwk.crv),
    alg: text(jwk.alg),
    use: text(jwk.use),
    bits,
    usable: reading.key !== undefined,
    problem: reading.ignored,
    notForSignatures: !forSignatures(jwk),
    weak: bits !== undefined && bits < MIN_RSA_BITS,
    privateMaterial: PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined),
  };
}

/**
 * Reads a JWKS the way a verifier does (the same `readJwk` rules and
 * `KeySet`), and describes every member so that a person can see which key
 * is which and why one is ignored.
 */
export function inspectJwks(document: unknown, maxKeys: number = JWKS_DEFAULTS.maxKeys): JwksReport {
  let keySet: KeySet;
  try {
    keySet = KeySet.fromJwks(document, { symmetric: false, maxKeys });
  } catch (error) {
    if (!(error instanceof KeySetFormatError)) throw error;
    return { formatError: error.message, keys: [], keySet: undefined, duplicates: [], unread: 0 };
  }
  const members = (document as { keys: unknown[] }).keys;
  const read = members.slice(0, maxKeys);
  const keys = read.map(describeMember);
  // RFC 7517 §4.5: kids within a set SHOULD be distinct; keys of different
  // types may share one, but two signing keys of one type sharing a kid are
  // ambiguous, and tokenward refuses to guess between them (key-set.ts).
  const groups = new Map<string, DuplicateKid>();
  read.forEach((member, index) => {
    const report = keys[index];
    if (report?.kid === undefined || report.kty === undefined) return;
    if (!forSignatures(member as Record<string, unknown>)) return;
    const group = `${report.kty}\u0000${report.kid}`;
    const seen = groups.get(group);
    groups.set(group, { kid: report.kid, kty: report.kty, count: (seen?.count ?? 0) + 1 });
  });
  const duplicates = [...groups.values()].filter((group) => group.count > 1);
  return { formatError: undefined, keys, keySet, duplicates, unread: members.length - read.length };
}

/** One line about a key: "kid "a"  EC  P-256  alg ES256  use sig"; every value escaped, so a hostile JWKS cannot reach the terminal raw. */
export function keyLine(key: KeyReport): string {
  const parts = [key.kid === undefined ? "(no kid)" : `kid ${show(key.kid, 80)}`, key.kty === undefined ? "(no kty)" : bare(key.kty, 20)];
  if (key.crv !== undefined) parts.push(bare(key.crv, 20));
  if (key.bits !== undefined) parts.push(`${key.bits} bits`);
  if (key.alg !== undefined) parts.push(`alg ${bare(key.alg, 20)}`);
  if (key.use !== undefined) parts.push(`use ${bare(key.use, 20)}`);
  return parts.join("  ");
}
