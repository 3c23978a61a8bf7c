import { afterAll, describe, expect, it } from "vitest";
import { KeyImportError } from "../../src/crypto/backend.js";
import { ALGORITHMS, type Algorithm, type AlgorithmSpec } from "../../src/jws/algorithms.js";
import { verifySignature } from "../../src/jws/verify-signature.js";
import { readJwk } from "../../src/keys/read-jwk.js";
import type { VerificationKey } from "../../src/keys/verification-key.js";
import { BACKENDS, type Case, describeOutcome, hexBytes, label, loadVectors, type Outcome, Tally } from "./load.js";

/**
 * Wycheproof's raw signature vectors for the four algorithm families JWTs
 * use, run the way a JWS is verified: the group's public key is read as a
 * JWK by `readJwk` (the same rules a JWKS gets: size, exponent, ROCA, curve,
 * coordinate lengths), then `verifySignature` checks the message and
 * signature bytes with the JWA parameters of the algorithm (RFC 7518 §3.3-3.5,
 * RFC 8037 §3.1) on both backends.
 */

interface SignatureCase extends Case {
  readonly msg: string;
  readonly sig: string;
  readonly flags: readonly string[];
}

interface SignatureGroup {
  readonly type: string;
  readonly sha?: string;
  readonly mgf?: string;
  readonly mgfSha?: string;
  readonly sLen?: number;
  readonly keyJwk?: unknown;
  readonly publicKeyJwk?: unknown;
  readonly publicKey?: { readonly curve?: string; readonly uncompressed?: string };
  readonly tests: readonly SignatureCase[];
}

interface SignatureFile {
  readonly file: string;
  readonly alg: Algorithm;
  /** Why a group's parameters are not those of the JWA algorithm, or undefined when they are. */
  readonly mismatch: (group: SignatureGroup) => string | undefined;
}

const sha256 = (group: SignatureGroup) => (group.sha === "SHA-256" ? undefined : `hash ${group.sha}`);

const FILES: readonly SignatureFile[] = [
  { file: "rsa_signature_2048_sha256_test.json", alg: "RS256", mismatch: sha256 },
  {
    file: "rsa_pss_2048_sha256_mgf1_32_test.json",
    alg: "PS256",
    // RFC 7518 §3.5: PS256 is SHA-256, MGF1 with SHA-256, and a 32-byte salt.
    mismatch: (group) =>
      group.sha === "SHA-256" && group.mgf === "MGF1" && group.mgfSha === "SHA-256" && group.sLen === 32
        ? undefined
        : `PSS parameters ${group.sha}/${group.mgf}-${group.mgfSha}/salt ${group.sLen}`,
  },
  { file: "ecdsa_secp256r1_sha256_p1363_test.json", alg: "ES256", mismatch: sha256 },
  { file: "ed25519_test.json", alg: "EdDSA", mismatch: () => undefined },
];

/**
 * The group's public key as a JWK. A few ECDSA groups (r and s edge cases from
 * github/davidben/ecdsa-r-s-edge-cases) carry only the uncompressed point;
 * their JWK is exactly its two 32-byte halves (RFC 7518 §6.2.1.2-3).
 */
function jwkOf(group: SignatureGroup): { jwk: unknown; derived: boolean } | undefined {
  const given = group.keyJwk ?? group.publicKeyJwk;
  if (given !== undefined) return { jwk: given, derived: false };
  const point = group.publicKey?.uncompressed;
  if (group.publicKey?.curve !== "secp256r1" || point?.length !== 130 || !point.startsWith("04")) return undefined;
  const coordinate = (hex: string) => Buffer.from(hex, "hex").toString("base64url");
  return { jwk: { kty: "EC", crv: "P-256", x: coordinate(point.slice(2, 66)), y: coordinate(point.slice(66)) }, derived: true };
}

async function check(backend: (typeof BACKENDS)[number], spec: AlgorithmSpec, key: VerificationKey, test: SignatureCase): Promise<Outcome> {
  try {
    const result = verifySignature(backend, spec, key, hexBytes(test.msg), hexBytes(test.sig));
    const valid = typeof result === "boolean" ? result : await result;
    return valid ? { accepted: true } : { accepted: false, reason: "signature_invalid", hint: "the signature does not verify" };
  } catch (error) {
    // The platform refused a key that passed readJwk: no usable key, as verifyJws reports it.
    if (error instanceof KeyImportError) return { accepted: false, reason: "key_not_found", hint: error.message };
    throw error;
  }
}

async function runFile(entry: SignatureFile, groups: readonly SignatureGroup[], tally: Tally): Promise<string[]> {
  const spec = ALGORITHMS[entry.alg];
  const mismatches: string[] = [];
  let derived = 0;
  for (const group of groups) {
    const parameters = entry.mismatch(group);
    const source = jwkOf(group);
    tally.cases += group.tests.length;
    if (parameters !== undefined || source === undefined) {
      for (const _ of group.tests) tally.skip(parameters ?? "no public key JWK");
      continue;
    }
    if (source.derived) derived += group.tests.length;
    const reading = readJwk(source.jwk, { symmetric: false });
    for (const test of group.tests) {
      tally.applicable++;
      const outcomes: Outcome[] = [];
      for (const backend of BACKENDS) {
        // A key readJwk ignores verifies nothing: every case of the group counts as refused.
        outcomes.push(
          reading.key === undefined ? { accepted: false, reason: "key_not_found", hint: reading.ignored } : await check(backend, spec, reading.key, test),
        );
      }
      if (test.result === "acceptable") {
        // Wycheproof leaves these to the implementation: recorded, not asserted.
        tally.acceptable.push(
          `tcId ${test.tcId} (${test.comment}): ${outcomes.map((o, i) => `${o.accepted ? "accepted" : "rejected"} on ${BACKENDS[i]?.name}`).join(", ")}`,
        );
        continue;
      }
      let ok = true;
      outcomes.forEach((outcome, i) => {
        if (outcome.accepted !== (test.result === "valid")) {
          ok = false;
          mismatches.push(`${label(test)} [${test.flags.join(", ")}] on ${BACKENDS[i]?.name}: got ${describeOutcome(outcome)}`);
        }
      });
      if (ok) tally.passed++;
    }
  }
  if (derived > 0) tally.notes.push(`${derived} cases keyed by a JWK built from publicKey.uncompressed (the vector gives no JWK)`);
  return mismatches;
}

for (const entry of FILES) {
  describe(`wycheproof ${entry.file} as ${entry.alg} JWS signatures`, () => {
    const vectors = loadVectors<SignatureGroup>(entry.file);
    const tally = new Tally();

    afterAll(() => {
      console.log(tally.summary(entry.file));
    });

    it(`verifies every valid and refuses every invalid ${entry.alg} signature of its ${vectors.testGroups.length} key groups, on both backends`, async () => {
      const mismatches = await runFile(entry, vectors.testGroups, tally);
      expect(mismatches, mismatches.join("\n")).toEqual([]);
    });

    it("ran every case, with no key group refused and nothing skipped", () => {
      expect(tally.cases).toBe(vectors.numberOfTests);
      expect(tally.applicable).toBeGreaterThan(0);
      expect(tally.skipped).toBe(0);
      expect(tally.passed).toBe(tally.applicable - tally.acceptable.length);
    });
  });
}
