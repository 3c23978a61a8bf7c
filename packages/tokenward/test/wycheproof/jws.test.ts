import { afterAll, describe, expect, it } from "vitest";
import { TokenError } from "../../src/errors/token-error.js";
import { verifyJws } from "../../src/jws/verify-jws.js";
import { KeySet } from "../../src/keys/key-set.js";
import { casesById, type Expectation, groupTitle, type JoseGroup, keySetOf, runJoseGroup } from "./jose-vectors.js";
import { BACKENDS, loadVectors, Tally } from "./load.js";

/**
 * Wycheproof's JSON Web Signature vectors, run through tokenward's JWS-level
 * verification (`verifyJws`: strict compact parsing, algorithm allow-list,
 * key selection by kid, signature check) on both signature backends.
 * Payloads are arbitrary bytes ("foo", empty, binary), not JWT claims.
 */

const FILE = "json_web_signature_test.json";
const vectors = loadVectors<JoseGroup>(FILE);
const cases = casesById(vectors.testGroups);
const tally = new Tally();

const BASE64 = "RFC 7515 §2";
const KEY_ALG = "RFC 7517 §4.4 and RFC 8725 §3.1: a key's own alg binds it to that one algorithm";

const expectations = new Map<number, Expectation>([
  // The vector inserts "?" into the header (372) or payload (373) segment
  // and still calls the token valid, presumably because lenient decoders skip
  // the stray character. RFC 7515 §2 defines base64url without "any line
  // breaks, whitespace, or other additional characters", and tokenward
  // decodes only canonical base64url (a non-canonical spelling would let
  // anyone mint many distinct strings for one signed token), so it refuses
  // both as malformed. Deliberate, and not to be relaxed.
  [372, { kind: "stricter", code: "token_malformed", rule: BASE64 }],
  [373, { kind: "stricter", code: "token_malformed", rule: BASE64 }],
  // RFC 7520 figures with keys to which Wycheproof added an "alg" the token
  // does not use: 346 and 350 are PS384 tokens (RFC 7520 Figure 20) checked
  // against a key whose alg is "PS256"; 347 and 351 are ES512 tokens (Figure
  // 27) against a key whose alg is "ES521", which is no JWA algorithm at all
  // (RFC 7518 §3.1 names ES512 for P-521). RFC 7517 §4.4: alg is the
  // algorithm intended for the key; RFC 8725 §3.1: "each key MUST be used
  // with exactly one algorithm, and this MUST be checked when the
  // cryptographic operation is performed". tokenward checks it, so it finds
  // no key for these tokens. The same vectors agree elsewhere: in
  // json_web_key_test.json a key with alg "ES521" must NOT verify ES256
  // (tcId 19), and here a PS512 key must not verify PS256/PS384 (338, 340).
  [346, { kind: "stricter", code: "key_not_found", rule: KEY_ALG }],
  [347, { kind: "stricter", code: "key_not_found", rule: KEY_ALG }],
  [350, { kind: "stricter", code: "key_not_found", rule: KEY_ALG }],
  [351, { kind: "stricter", code: "key_not_found", rule: KEY_ALG }],
  // "invalidBase64Padding" (367) and "invalidBase64PaddingInPayload" (370)
  // are marked invalid, but their jws is character for character the jws of
  // the valid case 357 (the padding they are named for is not there; the
  // upstream C2SP/wycheproof file is the same). No verifier can refuse one and
  // accept the other; tokenward accepts all three, and the runner checks that
  // the three strings are still identical.
  [367, { kind: "defect", sameAs: 357, defect: "jws identical to valid tcId 357" }],
  [370, { kind: "defect", sameAs: 357, defect: "jws identical to valid tcId 357" }],
]);

function pin(ids: Iterable<number>, code: string, hint: RegExp): void {
  for (const id of ids) expectations.set(id, { kind: "reason", code, hint });
}
function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

// The invalid cases that test a rule rather than a mangled token: each must
// be refused for that rule, not by accident for another one.
// RFC 8725 §3.1: alg "none" (any case) is never accepted.
pin([16, 341, 342, 343, 344], "algorithm_not_allowed", /"none"|not an algorithm tokenward verifies/);
// RFC 7515 §7.2: the JSON serialization is not the compact one JWTs use.
pin([17], "token_malformed", /three segments|fewer/);
// RFC 8725 §2.1: HS256 keyed with the EC key's bytes finds no oct key.
pin([31], "key_not_found", /kty EC, but HS256 needs oct/);
// RFC 8725 §3.10 spirit: a key embedded in the header ("jwk") is never trusted.
pin([32], "signature_invalid", /does not verify/);
// A PS512 key verifies PS512 only (RFC 8725 §3.1): RS*/PS256/PS384 headers find no key...
pin([332, 334, 336, 338, 340], "key_not_found", /is for alg PS512/);
// ...and a PS512 header over an RSASSA-PKCS1-v1_5 or other-hash signature does not verify.
pin([331, 333, 335, 337, 339], "signature_invalid", /does not verify/);
// RFC 7517 §4.2-4.3: keys for encryption do not verify signatures.
pin([353, 354], "key_not_found", /use is "enc"/);
pin([355, 356], "key_not_found", /key_ops does not include "verify"/);
// RFC 7518 §3.4: ES256 signatures are exactly 64 bytes of R || S; r or s of
// zero or at least n, and every wrong length, do not verify.
pin(range(379, 401), "signature_invalid", /ES256 signature does not verify/);

describe(`wycheproof ${FILE} through verifyJws (RFC 7515 §5.2)`, () => {
  afterAll(() => {
    console.log(tally.summary(FILE));
  });

  vectors.testGroups.forEach((group, index) => {
    it(groupTitle(index, group, expectations), async () => {
      const mismatches = await runJoseGroup(group, tally, expectations, cases);
      expect(mismatches, mismatches.join("\n")).toEqual([]);
    });
  });

  it("ran every case, and the only departures from the vectors are the listed, explained ones", () => {
    expect(tally.cases).toBe(vectors.numberOfTests);
    expect(tally.applicable).toBeGreaterThan(0);
    expect(tally.applicable + tally.skipped).toBe(tally.cases);
    expect(tally.passed).toBe(tally.applicable - tally.stricterCount - tally.defectCount);
    expect(tally.stricter.get(BASE64)).toEqual([372, 373]);
    expect(tally.stricter.get(KEY_ALG)).toEqual([346, 347, 350, 351]);
    expect([...tally.defects.values()].flat()).toEqual([367, 370]);
  });
});

describe("verifyJws applies the caller's algorithm allow-list before any key (RFC 8725 §3.1)", () => {
  const rs256 = vectors.testGroups.find((group) => group.comment === "rs256");
  const token = rs256?.tests.find((test) => test.result === "valid")?.jws;
  if (rs256 === undefined || typeof token !== "string") throw new Error("the rs256 group or its valid case is missing");
  const keys = keySetOf(rs256);

  for (const backend of BACKENDS) {
    it(`refuses a genuine RS256 JWS when only ES256 is allowed, and returns header and payload bytes when RS256 is (${backend.name})`, async () => {
      if (!(keys instanceof KeySet)) throw keys;
      const error = await verifyJws(token, keys, { algorithms: ["ES256"], backend }).catch((e: unknown) => e);
      expect(TokenError.is(error) && error.code).toBe("algorithm_not_allowed");
      const verified = await verifyJws(token, keys, { algorithms: ["RS256"], backend });
      expect(verified.header.alg).toBe("RS256");
      expect(Buffer.from(verified.payload).toString("utf8")).toBe("foo");
    });
  }
});
