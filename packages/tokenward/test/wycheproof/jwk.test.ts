import { createHmac, createPublicKey, verify } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { TokenError } from "../../src/errors/token-error.js";
import { verifyJws } from "../../src/jws/verify-jws.js";
import { KeySet } from "../../src/keys/key-set.js";
import { casesById, type Expectation, groupTitle, type JoseGroup, runJoseGroup } from "./jose-vectors.js";
import { BACKENDS, loadVectors, Tally } from "./load.js";

/**
 * Wycheproof's JSON Web Key vectors: the same JWS check, but each group is
 * about the key set (mixed symmetric/asymmetric keys, duplicate kids, weak
 * or mislabelled keys). Run through `verifyJws` on both backends.
 */

const FILE = "json_web_key_test.json";
const vectors = loadVectors<JoseGroup>(FILE);
const cases = casesById(vectors.testGroups);
const tally = new Tally();

// Every invalid case must be refused for the rule it tests; a refusal for
// some other reason (say, a signature check that happened to fail) would hide
// a broken key rule.
const reasons: Array<[number, string, RegExp]> = [
  // RFC 8725 §2.1: a set mixing secrets and public keys is refused whole.
  [1, "KeySetFormatError", /mixes symmetric \(oct\) and asymmetric/],
  [3, "signature_invalid", /does not verify/],
  // RFC 7517 §4.5: two keys under one kid are ambiguous (here the second is
  // unreadable, its k having non-zero unused bits, and still claims the kid).
  [4, "key_not_found", /ambiguous/],
  // RFC 7517 §4.2: a key for encryption does not verify signatures.
  [6, "key_not_found", /use is "enc"/],
  // CVE-2017-15361: the ROCA fingerprint (src/keys/roca.ts).
  [7, "key_not_found", /ROCA/],
  // RFC 7518 §3.3: RSA keys of at least 2048 bits.
  [8, "key_not_found", /RSA modulus of 1024 bits; at least 2048/],
  // e = 1 makes the "signature" equal the padded message.
  [9, "key_not_found", /exponent is not an odd number from 3/],
  // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
  [10, "key_not_found", /31 bytes, shorter than the 32 bytes HS256 requires \(RFC 7518 §3\.2\)/],
  [11, "key_not_found", /47 bytes, shorter than the 48 bytes HS384 requires/],
  [12, "key_not_found", /63 bytes, shorter than the 64 bytes HS512 requires/],
  [16, "key_not_found", /k is missing, empty/],
  [17, "key_not_found", /k is missing, empty/],
  [18, "key_not_found", /k is missing, empty/],
  // RFC 8725 §3.1: a key labelled for another algorithm (even a misspelt or unknown one) is not used.
  [19, "key_not_found", /is for alg ES521, not ES256/],
  [20, "key_not_found", /is for alg ES224, not ES256/],
  [21, "key_not_found", /use is "enc"/],
  // A point off the curve: the platform refuses it at import (both backends).
  [22, "key_not_found", /platform refused/],
  // RFC 7518 §6.2.1: P-384 coordinates are 48 bytes; these are P-256's 32.
  [23, "key_not_found", /48-byte/],
  // kty RSA with EC members: no n or e.
  [24, "key_not_found", /n or e is missing/],
  // AES keys (alg A256GCM, A256KW) are not HMAC keys.
  [25, "key_not_found", /is for alg A256GCM, not HS256/],
  [26, "key_not_found", /is for alg A256KW, not HS256/],
];
const expectations = new Map<number, Expectation>(reasons.map(([id, code, hint]) => [id, { kind: "reason", code, hint }]));

/**
 * Checks a case's signature with node:crypto directly, bypassing every
 * tokenward rule: true when the bytes are a genuine signature by the group's
 * key named in the header.
 */
function genuineSignature(group: JoseGroup, jws: string): boolean {
  const [header, payload, signature] = jws.split(".") as [string, string, string];
  const { alg, kid } = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg: string; kid: string };
  const source = group.private as { keys?: Array<Record<string, string>> } & Record<string, string>;
  const jwk = (source.keys ?? [source]).find((key) => key.kid === kid);
  if (jwk === undefined) throw new Error(`no key "${kid}" in the group`);
  const data = Buffer.from(`${header}.${payload}`, "latin1");
  const bytes = Buffer.from(signature, "base64url");
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith("HS"))
    return createHmac(hash, Buffer.from(jwk.k ?? "", "base64url"))
      .update(data)
      .digest()
      .equals(bytes);
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: "jwk" });
  return verify(hash, data, alg.startsWith("ES") ? { key, dsaEncoding: "ieee-p1363" } : key, bytes);
}

describe(`wycheproof ${FILE} through verifyJws (RFC 7515 §5.2, RFC 7517)`, () => {
  afterAll(() => {
    console.log(tally.summary(FILE));
  });

  vectors.testGroups.forEach((group, index) => {
    it(groupTitle(index, group, expectations), async () => {
      const mismatches = await runJoseGroup(group, tally, expectations, cases);
      expect(mismatches, mismatches.join("\n")).toEqual([]);
    });
  });

  it("refuses genuine signatures when only the key rules forbid them (ROCA, 1024-bit, e = 1, short or empty HMAC keys, duplicate kid, mixed set, alg binding)", () => {
    // node:crypto alone accepts each of these signatures, so tokenward's
    // refusal above comes from its key rules and nothing else.
    const keyRuleCases = [1, 4, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 25, 26];
    for (const id of keyRuleCases) {
      const group = vectors.testGroups.find((candidate) => candidate.tests.some((test) => test.tcId === id));
      const test = cases.get(id);
      if (group === undefined || typeof test?.jws !== "string") throw new Error(`tcId ${id} is missing from ${FILE}`);
      expect(genuineSignature(group, test.jws), `tcId ${id} (${test.comment})`).toBe(true);
      expect(test.result, `tcId ${id} (${test.comment})`).toBe("invalid");
    }
  });

  it("ran every case, each as the vector says, with no case skipped", () => {
    expect(tally.cases).toBe(vectors.numberOfTests);
    expect(tally.applicable).toBeGreaterThan(0);
    expect(tally.applicable + tally.skipped).toBe(tally.cases);
    expect(tally.passed).toBe(tally.applicable - tally.stricterCount - tally.defectCount);
    expect(tally.stricterCount + tally.defectCount).toBe(0);
  });
});

describe("an unreadable key under a kid (RFC 7517 §4.5), with the vectors' RS256 key and token", () => {
  const signatures = loadVectors<JoseGroup>("json_web_signature_test.json");
  const rs256 = signatures.testGroups.find((group) => group.comment === "rs256");
  const token = rs256?.tests.find((test) => test.result === "valid")?.jws;
  if (rs256 === undefined || typeof token !== "string") throw new Error("the rs256 group or its valid case is missing");
  const good = rs256.public as Record<string, unknown>;
  const broken = { ...good, n: "not base64url!" };

  async function outcome(extra: Record<string, unknown>): Promise<string> {
    const keys = KeySet.fromJwks({ keys: [good, extra] }, { symmetric: false, maxKeys: 10 });
    const results: string[] = [];
    for (const backend of BACKENDS) {
      results.push(
        await verifyJws(token as string, keys, { algorithms: ["RS256"], backend }).then(
          () => "accepted",
          (error: unknown) => (TokenError.is(error) ? error.code : String(error)),
        ),
      );
    }
    expect(new Set(results).size, `backends disagree: ${results.join(", ")}`).toBe(1);
    return results[0] as string;
  }

  it("refuses the token when a second RSA signing key with the same kid cannot be read: which one the issuer meant is unknown", async () => {
    expect(await outcome(broken)).toBe("key_not_found");
  });

  it("still verifies when the namesake is published for encryption (use enc, or key_ops without verify)", async () => {
    expect(await outcome({ ...broken, use: "enc" })).toBe("accepted");
    expect(await outcome({ ...broken, use: undefined, key_ops: ["encrypt"] })).toBe("accepted");
  });

  it("still verifies when the namesake is another key type, which RFC 7517 §4.5 explicitly allows", async () => {
    expect(await outcome({ kty: "EC", kid: good.kid, crv: "P-256", x: "broken", y: "broken" })).toBe("accepted");
  });
});
