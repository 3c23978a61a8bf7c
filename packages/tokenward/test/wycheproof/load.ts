import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CryptoBackend } from "../../src/crypto/backend.js";
import { selectBackend } from "../../src/crypto/select.js";
import { TokenError } from "../../src/errors/token-error.js";
import { KeySetFormatError } from "../../src/keys/key-set.js";

/**
 * Loading and tallying Wycheproof test vectors (https://github.com/C2SP/wycheproof).
 * The vectors live beside the repository, in ../shared/vectors/wycheproof,
 * found from this file's location so that no absolute path is baked in;
 * WYCHEPROOF_DIR points elsewhere (a checkout that is not beside shared/).
 */

// test/wycheproof -> test -> packages/tokenward -> packages -> the repository root.
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const VECTOR_DIR = process.env.WYCHEPROOF_DIR ?? path.resolve(REPO_ROOT, "../shared/vectors/wycheproof");

export type Result = "valid" | "invalid" | "acceptable";

export interface VectorFile<G> {
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

export function loadVectors<G>(file: string): VectorFile<G> {
  if (!existsSync(path.join(VECTOR_DIR, file))) {
    // Missing vectors fail the suite: a run that silently tests nothing is no test.
    throw new Error(`Wycheproof vector ${file} not found in ${VECTOR_DIR}: run from a checkout beside shared/, or set WYCHEPROOF_DIR`);
  }
  const parsed = JSON.parse(readFileSync(path.join(VECTOR_DIR, file), "utf8")) as VectorFile<G>;
  if (!Array.isArray(parsed.testGroups) || parsed.testGroups.length === 0) throw new Error(`${file} holds no test groups`);
  return parsed;
}

export function hexBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new Error(`not hex: ${hex.slice(0, 20)}`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Both signature backends: every case runs through each, and they must agree. */
export const BACKENDS: readonly CryptoBackend[] = [selectBackend("node"), selectBackend("webcrypto")];

// RFC 7518 §6.3.2 and §6.2.2: the private members of RSA and EC/OKP keys.
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/** The public half of a JWK as a verifier holds it; `oct` keys are secrets and stay whole. */
export function publicOnly(jwk: unknown): unknown {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return jwk;
  const record = jwk as Record<string, unknown>;
  if (record.kty === "oct") return { ...record };
  return Object.fromEntries(Object.entries(record).filter(([member]) => !PRIVATE_MEMBERS.includes(member)));
}

/** How one case ended on one backend; a refusal names its code (or KeySetFormatError) and the hint. */
export type Outcome = { accepted: true; reason?: undefined; hint?: undefined } | { accepted: false; reason: string; hint: string };

/**
 * A refusal the verifier is meant to produce: a `TokenError` (with its code)
 * or a key set refused whole. Anything else (a TypeError, an OpenSSL throw)
 * is a bug and is rethrown so that the test fails on it.
 */
export function rejection(error: unknown): Outcome {
  if (TokenError.is(error)) return { accepted: false, reason: error.code, hint: error.hint };
  if (error instanceof KeySetFormatError) return { accepted: false, reason: "KeySetFormatError", hint: error.message };
  throw error;
}

export function describeOutcome(outcome: Outcome): string {
  return outcome.accepted ? "accepted" : `rejected (${outcome.reason}: ${outcome.hint})`;
}

export interface Case {
  readonly tcId: number;
  readonly comment: string;
  readonly result: Result;
}

export function label(test: Case): string {
  return `tcId ${test.tcId} (${test.comment || "no comment"}, ${test.result})`;
}

function appendTo(map: Map<string, number[]>, key: string, tcId: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [tcId]);
  else list.push(tcId);
}

/** Counts for the one-line summary each file prints, and the assertions on them. */
export class Tally {
  cases = 0;
  applicable = 0;
  /** Applicable cases that behaved as the vector says on every backend. */
  passed = 0;
  /** rule -> tcIds tokenward refuses although the vector marks them valid. */
  readonly stricter = new Map<string, number[]>();
  /** defect -> tcIds whose vector contradicts itself; tokenward's (consistent) answer is asserted instead. */
  readonly defects = new Map<string, number[]>();
  /** "acceptable" cases: the outcome is recorded, not asserted. */
  readonly acceptable: string[] = [];
  readonly notApplicable = new Map<string, number>();
  readonly notes: string[] = [];

  skip(reason: string): void {
    this.notApplicable.set(reason, (this.notApplicable.get(reason) ?? 0) + 1);
  }

  addStricter(rule: string, tcId: number): void {
    appendTo(this.stricter, rule, tcId);
  }

  addDefect(defect: string, tcId: number): void {
    appendTo(this.defects, defect, tcId);
  }

  get stricterCount(): number {
    return [...this.stricter.values()].reduce((sum, ids) => sum + ids.length, 0);
  }

  get defectCount(): number {
    return [...this.defects.values()].reduce((sum, ids) => sum + ids.length, 0);
  }

  get skipped(): number {
    return [...this.notApplicable.values()].reduce((sum, count) => sum + count, 0);
  }

  summary(file: string): string {
    const parts = [`${this.cases} cases`, `${this.applicable} applicable`, `${this.passed} passed x ${BACKENDS.length} backends`];
    for (const [rule, ids] of this.stricter) parts.push(`${ids.length} stricter than vector (${rule}): tcIds ${ids.join(", ")}`);
    for (const [defect, ids] of this.defects) parts.push(`${ids.length} vector defect (${defect}): tcIds ${ids.join(", ")}`);
    if (this.acceptable.length > 0) parts.push(`${this.acceptable.length} acceptable (recorded, not asserted): ${this.acceptable.join("; ")}`);
    const skipped = [...this.notApplicable].map(([reason, count]) => `${count} not applicable (${reason})`);
    parts.push(...(skipped.length > 0 ? skipped : ["0 not applicable"]));
    parts.push(...this.notes);
    return `wycheproof ${file}: ${parts.join(", ")}`;
  }
}
