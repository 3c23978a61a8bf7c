import { ALGORITHMS } from "../../src/jws/algorithms.js";
import { verifyJws } from "../../src/jws/verify-jws.js";
import { KeySet, KeySetFormatError } from "../../src/keys/key-set.js";
import { BACKENDS, type Case, describeOutcome, label, type Outcome, publicOnly, rejection, type Tally } from "./load.js";

/** A test group of json_web_signature_test.json or json_web_key_test.json. */
export interface JoseGroup {
  readonly type: string;
  readonly comment?: string;
  /** A JWK, or (JsonWebKey groups) a JWK Set. */
  readonly private: unknown;
  /** The same key(s) without private members, where the vector gives them. */
  readonly public?: unknown;
  readonly tests: readonly JoseCase[];
}

export interface JoseCase extends Case {
  readonly jws: unknown;
  readonly flags: readonly string[];
}

/**
 * What a case must do when it is not simply "valid verifies, invalid is refused":
 * - `stricter`: the vector says valid; tokenward refuses with `code` under `rule`;
 * - `defect`: the vector says invalid, but its jws is byte for byte the jws of
 *   the valid case `sameAs`; tokenward must treat both alike and accept;
 * - `reason`: the vector says invalid; tokenward must refuse for this reason
 *   (`code`, and a hint matching `hint`), not by accident for another one.
 */
export type Expectation =
  | { readonly kind: "stricter"; readonly code: string; readonly rule: string }
  | { readonly kind: "defect"; readonly sameAs: number; readonly defect: string }
  | { readonly kind: "reason"; readonly code: string; readonly hint: RegExp };

// The vectors test the binding of keys to algorithms themselves, so every
// algorithm tokenward knows is allowed; `none` is never among them.
const ALL_ALGORITHMS = Object.keys(ALGORITHMS);

/**
 * The verification keys of a group, as a verifier would hold them. Where the
 * vector gives a `public` form it is used, as Wycheproof's own harness does
 * (for the RFC 7520 keys it differs from the private form in `key_ops`:
 * ["verify"] instead of ["sign", "verify"]); otherwise the private key with
 * its private members stripped. `oct` keys are secrets and kept whole. A
 * single JWK becomes a one-key set.
 */
export function keySetOf(group: JoseGroup): KeySet | KeySetFormatError {
  const source = (group.public ?? group.private) as { keys?: unknown };
  const members = Array.isArray(source.keys) ? source.keys : [source];
  try {
    return KeySet.fromJwks({ keys: members.map(publicOnly) }, { symmetric: true, maxKeys: 100 });
  } catch (error) {
    // RFC 8725 §2.1: a set mixing secrets and public keys is refused whole.
    if (error instanceof KeySetFormatError) return error;
    throw error;
  }
}

async function run(jws: string, keys: KeySet | KeySetFormatError, backend: (typeof BACKENDS)[number]): Promise<Outcome> {
  if (keys instanceof KeySetFormatError) return rejection(keys);
  try {
    await verifyJws(jws, keys, { algorithms: ALL_ALGORITHMS, backend });
    return { accepted: true };
  } catch (error) {
    return rejection(error);
  }
}

function judge(test: JoseCase, expected: Expectation | undefined, outcome: Outcome): string | undefined {
  if (expected === undefined) {
    if (test.result === "valid") return outcome.accepted ? undefined : "expected accepted";
    return outcome.accepted ? "expected rejected" : undefined;
  }
  switch (expected.kind) {
    case "stricter":
      return !outcome.accepted && outcome.reason === expected.code ? undefined : `expected rejected (${expected.code}) under ${expected.rule}`;
    case "defect":
      return outcome.accepted ? undefined : `expected accepted like tcId ${expected.sameAs}`;
    case "reason":
      return !outcome.accepted && outcome.reason === expected.code && expected.hint.test(outcome.hint)
        ? undefined
        : `expected rejected (${expected.code}) with a hint matching ${expected.hint}`;
  }
}

/**
 * Runs every case of a group on both backends and returns one line per
 * mismatch (empty when all behave), naming the tcId, the vector's comment,
 * the backend, and what happened. `allCases` lets a `defect` exemption check
 * that it is still justified (the two jws strings are still identical).
 */
export async function runJoseGroup(
  group: JoseGroup,
  tally: Tally,
  expectations: ReadonlyMap<number, Expectation>,
  allCases: ReadonlyMap<number, JoseCase>,
): Promise<string[]> {
  const keys = keySetOf(group);
  const mismatches: string[] = [];
  for (const test of group.tests) {
    tally.cases++;
    if (typeof test.jws !== "string") {
      tally.skip("JSON serialization");
      continue;
    }
    tally.applicable++;
    const expected = expectations.get(test.tcId);
    if (expected?.kind === "stricter" && test.result !== "valid") mismatches.push(`${label(test)}: listed as stricter, but the vector does not say valid`);
    if (expected?.kind === "defect") {
      const twin = allCases.get(expected.sameAs);
      if (test.result !== "invalid" || twin?.result !== "valid" || twin.jws !== test.jws) {
        mismatches.push(`${label(test)}: listed as a vector defect, but its jws is no longer that of valid tcId ${expected.sameAs}`);
      }
    }
    let ok = true;
    for (const backend of BACKENDS) {
      const outcome = await run(test.jws, keys, backend);
      const problem = judge(test, expected, outcome);
      if (problem !== undefined) {
        ok = false;
        mismatches.push(`${label(test)} on ${backend.name}: ${problem}, got ${describeOutcome(outcome)}`);
      }
    }
    if (!ok) continue;
    if (expected?.kind === "stricter") tally.addStricter(expected.rule, test.tcId);
    else if (expected?.kind === "defect") tally.addDefect(expected.defect, test.tcId);
    else tally.passed++;
  }
  return mismatches;
}

export function casesById(groups: readonly JoseGroup[]): Map<number, JoseCase> {
  return new Map(groups.flatMap((group) => group.tests.map((test) => [test.tcId, test] as const)));
}

/** A test title for a group: what its cases must do, including the listed departures from the vector. */
export function groupTitle(index: number, group: JoseGroup, expectations: ReadonlyMap<number, Expectation>): string {
  const kinds = group.tests.map((test) => expectations.get(test.tcId)?.kind);
  const count = (predicate: (test: JoseCase, i: number) => boolean) => group.tests.filter(predicate).length;
  const valid = count((test, i) => test.result === "valid" && kinds[i] !== "stricter");
  const invalid = count((test, i) => test.result !== "valid" && kinds[i] !== "defect");
  const stricter = count((_, i) => kinds[i] === "stricter");
  const defects = count((_, i) => kinds[i] === "defect");
  const what = [
    valid > 0 ? `verifies its ${valid} valid case(s)` : "",
    invalid > 0 ? `refuses its ${invalid} invalid case(s)` : "",
    stricter > 0 ? `refuses ${stricter} case(s) the vector calls valid (stricter, by RFC)` : "",
    defects > 0 ? `accepts ${defects} case(s) identical to a valid one (vector defect)` : "",
  ].filter(Boolean);
  return `group #${index} "${group.comment ?? group.type}": ${what.join(", ")}, on both backends`;
}
