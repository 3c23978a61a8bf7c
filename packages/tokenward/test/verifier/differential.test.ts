import fc from "fast-check";
import { createLocalJWKSet, type JWK, base64url as joseBase64url, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, DEFAULT_ALGORITHMS, TokenError, type Verifier } from "../../src/index.js";
import { jsonText, membersText, signSegments } from "../helpers/jws-arbitraries.js";
import { AUDIENCE, generateKey, ISSUER, type TestAlg, type TestKey } from "../helpers/keys.js";

/**
 * Differential test: tokenward (both signature backends) against `jose`'s
 * jwtVerify, the reference, on the same static JWKS, clock and tolerance.
 * Every generated token must get the same decision (accepted or rejected)
 * from all three, except in the deliberate disagreements named below, where
 * tokenward is stricter than jose on purpose: each is a predicate on the
 * token, tokenward must refuse with the stated code, jose must accept (never
 * the reverse), and each is counted.
 */

const NOW = 1_750_000_000;
const TOLERANCE = 30;
const MAX_TOKEN_BYTES = 16 * 1024; // tokenward's default
const ACCEPTED_TYPES = new Set(["application/jwt", "application/at+jwt"]); // tokenward's default types, normalized
const BACKENDS = ["node", "webcrypto"] as const;

// ---------------------------------------------------------------------------
// Keys and the JWKS

interface Signer {
  readonly name: string;
  readonly key: TestKey;
  /** Published in the JWKS (and usable), or an outsider signing under a published kid. */
  readonly published: boolean;
}

let signers: Signer[] = [];
let jwks: { keys: JWK[] } = { keys: [] };
/** The published JWKs that may verify signatures, as tokenward and jose both read them (kty, crv, alg). */
let usableJwks: JWK[] = [];
let joseKeys: ReturnType<typeof createLocalJWKSet>;
const verifiers = new Map<(typeof BACKENDS)[number], Verifier>();

async function keyOf(alg: TestAlg, kid: string, drop: readonly string[] = []): Promise<TestKey> {
  const key = await generateKey(alg, kid);
  const jwk: Record<string, unknown> = { ...key.jwk };
  for (const member of drop) delete jwk[member];
  return { ...key, jwk: jwk as JWK };
}

beforeAll(async () => {
  const [rsA, rsB, ps, esA, esB, es384, eddsa, ed25519, encOnly, rsOut, psOut, esOut, es384Out, edOut] = await Promise.all([
    keyOf("RS256", "rs256-a"),
    keyOf("RS256", "rs256-b"),
    keyOf("PS256", "ps256"),
    keyOf("ES256", "es256-a"),
    keyOf("ES256", "es256-b"),
    keyOf("ES384", "es384", ["alg"]), // selected by kty and crv alone
    keyOf("EdDSA", "eddsa"),
    keyOf("Ed25519", "ed25519-any", ["alg"]), // usable for EdDSA and Ed25519 tokens
    keyOf("RS256", "rs256-enc"),
    // Outsiders: not in the JWKS, but they sign under a published kid.
    keyOf("RS256", "rs256-a"),
    keyOf("PS256", "ps256"),
    keyOf("ES256", "es256-a"),
    keyOf("ES384", "es384"),
    keyOf("EdDSA", "eddsa"),
  ]);
  const published = [rsA, rsB, ps, esA, esB, es384, eddsa, ed25519];
  usableJwks = published.map((key) => key.jwk);
  // RFC 7517 §4.2: a key published for encryption must not verify a signature; both libraries skip it.
  jwks = { keys: [...usableJwks, { ...encOnly.jwk, use: "enc" }] };
  signers = [
    ...published.map((key) => ({ name: key.kid, key, published: true })),
    { name: "rs256-enc", key: encOnly, published: false },
    ...[rsOut, psOut, esOut, es384Out, edOut].map((key) => ({ name: `outsider ${key.alg} as ${key.kid}`, key, published: false })),
  ];
  joseKeys = createLocalJWKSet(jwks);
  for (const crypto of BACKENDS) {
    verifiers.set(crypto, createVerifier({ crypto, clockTolerance: TOLERANCE, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks }] }));
  }
});

// ---------------------------------------------------------------------------
// The three decisions

type Decision = { accepted: true; claims: unknown; header: unknown } | { accepted: false; code: string };

async function tokenwardDecision(crypto: (typeof BACKENDS)[number], token: string): Promise<Decision> {
  const verifier = verifiers.get(crypto);
  if (verifier === undefined) throw new Error("verifier not set up");
  try {
    const verified = await verifier.verify(token);
    expect(Object.isFrozen(verified.claims)).toBe(true);
    return { accepted: true, claims: verified.claims, header: verified.header };
  } catch (error) {
    // Anything but a TokenError (a TypeError, a RangeError) fails the test.
    if (!TokenError.is(error)) throw error;
    return { accepted: false, code: error.code };
  }
}

/** RFC 7515 §4.1.9 media type comparison, as tokenward applies it to `typ`. */
function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.includes("/") ? lower : `application/${lower}`;
}

async function joseDecision(token: string): Promise<Decision> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, joseKeys, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [...DEFAULT_ALGORITHMS],
      requiredClaims: ["exp"],
      clockTolerance: TOLERANCE,
      currentDate: new Date(NOW * 1000),
    });
    // tokenward's typ rule (absent, JWT or at+jwt by default; RFC 8725 §3.11),
    // which jose's `typ` option cannot state since it takes one value:
    // applied to the header after jose has accepted the token.
    const typ: unknown = protectedHeader.typ;
    if (typ !== undefined && (typeof typ !== "string" || !ACCEPTED_TYPES.has(normalizeTyp(typ))))
      return { accepted: false, code: "typ (tokenward's rule, emulated)" };
    return { accepted: true, claims: payload, header: protectedHeader };
  } catch (error) {
    return { accepted: false, code: (error as { code?: string }).code ?? String(error) };
  }
}

// ---------------------------------------------------------------------------
// The deliberate disagreements

/** The token as jose reads it (its lenient base64url, a BOM stripped), for the predicates. */
interface Reading {
  readonly token: string;
  readonly segments: readonly string[];
  readonly headerBytes: Uint8Array | undefined;
  readonly payloadBytes: Uint8Array | undefined;
  readonly header: Record<string, unknown> | undefined;
  readonly claims: Record<string, unknown> | undefined;
}

function joseBytes(segment: string | undefined): Uint8Array | undefined {
  if (segment === undefined) return undefined;
  try {
    return joseBase64url.decode(segment);
  } catch {
    return undefined;
  }
}

function joseObject(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function read(token: string): Reading {
  const segments = token.split(".");
  const headerBytes = segments.length === 3 ? joseBytes(segments[0]) : undefined;
  const payloadBytes = segments.length === 3 ? joseBytes(segments[1]) : undefined;
  return { token, segments, headerBytes, payloadBytes, header: joseObject(headerBytes), claims: joseObject(payloadBytes) };
}

function isCanonical(segment: string): boolean {
  return /^[A-Za-z0-9_-]*$/.test(segment) && Buffer.from(segment, "base64url").toString("base64url") === segment;
}

const CURVES: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: "RSA" },
  RS384: { kty: "RSA" },
  RS512: { kty: "RSA" },
  PS256: { kty: "RSA" },
  PS384: { kty: "RSA" },
  PS512: { kty: "RSA" },
  ES256: { kty: "EC", crv: "P-256" },
  ES384: { kty: "EC", crv: "P-384" },
  ES512: { kty: "EC", crv: "P-521" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  Ed25519: { kty: "OKP", crv: "Ed25519" },
};

/** Published keys that suit `alg` by kty, curve and the JWK's own alg (RFC 7517 §4.4). */
function suitableKeys(alg: unknown): JWK[] {
  const need = typeof alg === "string" ? CURVES[alg] : undefined;
  if (need === undefined) return [];
  return usableJwks.filter((jwk) => jwk.kty === need.kty && (need.crv === undefined || jwk.crv === need.crv) && (jwk.alg === undefined || jwk.alg === alg));
}

const isNumber = (value: unknown): value is number => typeof value === "number";

interface Disagreement {
  readonly name: string;
  /** The rule tokenward applies and jose does not. */
  readonly rule: string;
  /** tokenward's error code when this rule is the reason. */
  readonly code: string;
  readonly applies: (reading: Reading) => boolean;
}

const DISAGREEMENTS: readonly Disagreement[] = [
  {
    // (a) jose decodes base64url with atob, which skips whitespace, takes
    // padding and ignores the unused trailing bits; it only matters where the
    // bytes, not the string, are signed or compared: the signature segment,
    // or a header/payload whose non-canonical spelling was itself signed.
    name: "nonCanonicalBase64url",
    rule: "RFC 7515 §2 and RFC 4648 §3.5: base64url without padding, whitespace or non-zero unused bits; one token, one spelling",
    code: "token_malformed",
    applies: ({ segments }) => segments.length === 3 && segments.some((segment) => !isCanonical(segment)),
  },
  {
    // (b) tokenward never tries keys one by one. jose 6's jwtVerify with a
    // local JWKS refuses such a token too (JWKSMultipleMatchingKeys; only
    // code that iterates the error tries each key), so this is expected to
    // count zero: kept to state the direction should jose ever iterate.
    name: "noKidSeveralKeys",
    rule: "tokenward's key selection: a token without kid that several published keys suit is ambiguous",
    code: "key_not_found",
    applies: ({ header }) => header !== undefined && header.kid === undefined && suitableKeys(header.alg).length > 1,
  },
  {
    // (c) jose checks sub and jti only against an expected value.
    name: "registeredClaimType",
    rule: "RFC 7519 §4.1.2 and §4.1.7: sub and jti are strings",
    code: "claim_invalid",
    applies: ({ claims }) => claims !== undefined && (["sub", "jti"] as const).some((name) => claims[name] !== undefined && typeof claims[name] !== "string"),
  },
  {
    // (d) jose looks at a future iat only with maxTokenAge.
    name: "iatInTheFuture",
    rule: "tokenward refuses iat beyond the clock tolerance in the future, with or without maxTokenAge (a forged or skewed iat)",
    code: "token_not_yet_valid",
    applies: ({ claims }) => claims !== undefined && isNumber(claims.iat) && claims.iat > NOW + TOLERANCE,
  },
  {
    // (e) jose accepts an aud array when any member equals the audience.
    name: "audienceArrayWithNonString",
    rule: "RFC 7519 §4.1.3: aud is a string or an array of strings",
    code: "audience_mismatch",
    applies: ({ claims }) => claims !== undefined && Array.isArray(claims.aud) && claims.aud.some((member) => typeof member !== "string"),
  },
  {
    // (f) JSON numbers beyond double range parse to ±Infinity; jose only checks typeof.
    name: "nonFiniteNumericDate",
    rule: "RFC 7519 §2: a NumericDate is a number of seconds; 1e400 (Infinity) would be a token that never expires",
    code: "claim_invalid",
    applies: ({ claims }) => claims !== undefined && (["exp", "nbf", "iat"] as const).some((name) => isNumber(claims[name]) && !Number.isFinite(claims[name])),
  },
  {
    // (g) jose's TextDecoder strips a leading BOM; tokenward keeps it, and a BOM is not JSON whitespace.
    name: "byteOrderMark",
    rule: "RFC 8259 §8.1: JSON text must not start with a BOM (a parser MAY ignore it; tokenward does not)",
    code: "token_malformed",
    applies: ({ headerBytes, payloadBytes }) =>
      [headerBytes, payloadBytes].some((bytes) => bytes !== undefined && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf),
  },
  {
    // (h) jose understands the b64 extension, so it accepts crit: ["b64"] with b64: true.
    name: "criticalHeader",
    rule: "RFC 7515 §4.1.11: a recipient refuses critical extensions it does not support; tokenward supports none (RFC 7797 has no place in a JWT)",
    code: "token_malformed",
    applies: ({ header }) => header !== undefined && header.crit !== undefined,
  },
  {
    // (i) jose reads b64 only when crit lists it, so it ignores a bare b64: false.
    name: "b64WithoutCrit",
    rule: 'RFC 7797 §6: b64 is used with crit: ["b64"]; a bare b64: false is ambiguous (RFC 7797 §3) and refused',
    code: "token_malformed",
    applies: ({ header }) => header !== undefined && header.b64 !== undefined && header.b64 !== true,
  },
  {
    name: "overSizeLimit",
    rule: "tokenward's maxTokenBytes (default 16 KiB): refused before any parsing",
    code: "token_malformed",
    applies: ({ token }) => token.length > MAX_TOKEN_BYTES,
  },
];

interface Tally {
  runs: number;
  bothAccepted: number;
  bothRejected: number;
  explained: Record<string, number>;
}

/** Counts per property, printed after the run. */
const tallies = new Map<string, Tally>();

function tally(label: string): Tally {
  let entry = tallies.get(label);
  if (entry === undefined) {
    entry = { runs: 0, bothAccepted: 0, bothRejected: 0, explained: Object.fromEntries(DISAGREEMENTS.map(({ name }) => [name, 0])) };
    tallies.set(label, entry);
  }
  return entry;
}

function explain(reading: Reading, code: string): Disagreement | undefined {
  return DISAGREEMENTS.find((candidate) => candidate.code === code && candidate.applies(reading));
}

/** Runs all three on one token and checks the rule of the test. */
async function compare(label: string, token: string, context: unknown): Promise<void> {
  const counts = tally(label);
  counts.runs++;
  const [node, web, reference] = await Promise.all([tokenwardDecision("node", token), tokenwardDecision("webcrypto", token), joseDecision(token)]);
  // The two backends agree exactly, down to the error code.
  expect(web.accepted ? "accepted" : web.code, "webcrypto and node backends disagree").toBe(node.accepted ? "accepted" : node.code);
  // Each rule behind a deliberate disagreement holds whatever jose says: a
  // token it names is never accepted (so agreement cannot hide lost strictness).
  const reading = read(token);
  const broken = DISAGREEMENTS.find((candidate) => candidate.applies(reading));
  if (broken !== undefined) expect(node.accepted, `tokenward accepted a token that breaks ${broken.name}`).toBe(false);
  if (node.accepted && reference.accepted) {
    counts.bothAccepted++;
    expect(node.claims).toEqual(reference.claims);
    expect(node.header).toEqual(reference.header);
    return;
  }
  if (!node.accepted && !reference.accepted) {
    counts.bothRejected++;
    return;
  }
  const explained = node.accepted ? undefined : explain(reading, node.code);
  if (explained === undefined) {
    throw new Error(
      `unexplained disagreement: tokenward ${node.accepted ? "accepted" : `rejected (${node.code})`}, jose ${reference.accepted ? "accepted" : `rejected (${reference.code})`}\n` +
        `token: ${token}\nheader: ${JSON.stringify(reading.header)}\nclaims: ${JSON.stringify(reading.claims)}\ncase: ${JSON.stringify(context)}`,
    );
  }
  // The direction: tokenward is the stricter one, never the other way round.
  expect(node.accepted).toBe(false);
  expect(reference.accepted).toBe(true);
  counts.explained[explained.name] = (counts.explained[explained.name] ?? 0) + 1;
}

afterAll(() => {
  const total = tally("total");
  for (const [label, counts] of tallies) {
    if (label === "total") continue;
    total.runs += counts.runs;
    total.bothAccepted += counts.bothAccepted;
    total.bothRejected += counts.bothRejected;
    for (const [name, count] of Object.entries(counts.explained)) total.explained[name] = (total.explained[name] ?? 0) + count;
  }
  const lines = [...tallies].map(([label, counts]) => {
    const explained = Object.entries(counts.explained)
      .filter(([, count]) => count > 0 || label === "total")
      .map(([name, count]) => `${name} ${count}`)
      .join(", ");
    return `  ${label}: ${counts.runs} tokens; both accepted ${counts.bothAccepted}, both rejected ${counts.bothRejected}; explained disagreements: ${explained || "none"}`;
  });
  console.log(
    `differential, tokenward (node and webcrypto) vs jose jwtVerify; every explained disagreement is tokenward rejecting what jose accepts:\n${lines.join("\n")}`,
  );
});

// ---------------------------------------------------------------------------
// Building tokens

/** A raw JSON value, as text (so that 1e400, duplicates and "__proto__" survive). */
type Raw = string;
const raw = (value: unknown): Raw => JSON.stringify(value);
const at = (offset: number): Raw => String(NOW + offset);

type Quirk = "canonical" | "padding" | "bits" | "whitespace";
type PayloadQuirk = "none" | "bom" | "invalid-utf8" | "surrounding-space" | "array" | "truncated-json";

interface TokenSpec {
  readonly signer: number;
  /** The header alg; undefined: the signer's. */
  readonly alg: string | undefined;
  readonly kid: "own" | "absent" | "other" | "unknown" | "number";
  readonly typ: Raw | undefined;
  readonly header: readonly (readonly [string, Raw])[];
  readonly claims: readonly (readonly [string, Raw])[];
  readonly payloadQuirk: PayloadQuirk;
  /** How the header and payload segments are spelled before signing (a non-canonical spelling, then signed). */
  readonly spelling: readonly [Quirk, Quirk];
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function respell(segment: string, quirk: Quirk, seed: number): string {
  switch (quirk) {
    case "canonical":
      return segment;
    case "padding":
      return `${segment}${"=".repeat((4 - (segment.length % 4)) % 4 || 2)}`;
    case "bits": {
      const unused = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0;
      if (unused === 0) return `${segment}\n`;
      const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
      return `${segment.slice(0, -1)}${ALPHABET.charAt(last | ((seed % ((1 << unused) - 1)) + 1))}`;
    }
    case "whitespace": {
      const where = seed % (segment.length + 1);
      return `${segment.slice(0, where)}${[" ", "\n", "\t", "\r"][seed % 4]}${segment.slice(where)}`;
    }
  }
}

function payloadBytes(spec: TokenSpec): Uint8Array {
  const text = membersText(spec.claims);
  const utf8 = new TextEncoder();
  switch (spec.payloadQuirk) {
    case "none":
      return utf8.encode(text);
    case "bom":
      return utf8.encode(`\ufeff${text}`);
    case "invalid-utf8":
      // An unpaired continuation byte inside a string member: not UTF-8 (RFC 3629).
      return Uint8Array.from([...utf8.encode(`${text.slice(0, -1)}${text.length > 2 ? "," : ""}"note":"`), 0x80, 0x22, 0x7d]);
    case "surrounding-space":
      return utf8.encode(` \n${text}\t `);
    case "array":
      return utf8.encode(`[${text}]`);
    case "truncated-json":
      return utf8.encode(text.slice(0, -1));
  }
}

async function build(spec: TokenSpec, seed: number): Promise<string> {
  const signer = signers[spec.signer % signers.length] as Signer;
  const ownKid = signer.key.kid;
  const otherKid = usableJwks.map((jwk) => jwk.kid as string).find((kid) => kid !== ownKid) ?? "none";
  const kid = { own: raw(ownKid), absent: undefined, other: raw(otherKid), unknown: raw("not-published"), number: "42" }[spec.kid];
  const header: (readonly [string, Raw])[] = [["alg", raw(spec.alg ?? signer.key.alg)]];
  if (kid !== undefined) header.push(["kid", kid]);
  if (spec.typ !== undefined) header.push(["typ", spec.typ]);
  header.push(...spec.header);
  const headerSegment = respell(Buffer.from(membersText(header)).toString("base64url"), spec.spelling[0], seed);
  const payloadSegment = respell(Buffer.from(payloadBytes(spec)).toString("base64url"), spec.spelling[1], seed >>> 3);
  return signSegments(signer.key, headerSegment, payloadSegment);
}

// Each token starts from valid fields; zero, one or two of them are then
// replaced by a "wild" value (an edge value, a wrong type, an absent member),
// so that both decisions are common and each rule is tested alone or in pairs.

const edgeOffsets = [
  -TOLERANCE - 1,
  -TOLERANCE - 0.5,
  -TOLERANCE,
  -TOLERANCE + 0.5,
  -TOLERANCE + 1,
  -1,
  0,
  1,
  TOLERANCE - 1,
  TOLERANCE,
  TOLERANCE + 0.5,
  TOLERANCE + 1,
];
const notANumericDate = fc.constantFrom(raw(String(NOW + 300)), "null", "true", "[]", "{}", "1e400", "-1e400");
const sometimesAbsent = (arbitrary: fc.Arbitrary<Raw>) => fc.option(arbitrary, { nil: undefined, freq: 5 });
const extraClaims = fc.array(fc.tuple(fc.constantFrom("scope", "scp", "roles", "client_id", "__proto__", "constructor", "toString", "x"), jsonText), {
  maxLength: 3,
});

interface Fields {
  readonly signer: number;
  readonly alg: string | undefined;
  readonly kid: TokenSpec["kid"];
  readonly typ: Raw | undefined;
  readonly header: readonly (readonly [string, Raw])[];
  readonly iss: Raw | undefined;
  readonly aud: Raw | undefined;
  readonly exp: Raw | undefined;
  readonly nbf: Raw | undefined;
  readonly iat: Raw | undefined;
  readonly sub: Raw | undefined;
  readonly jti: Raw | undefined;
  /** A member repeated at the end: JSON.parse keeps the last one. */
  readonly duplicate: readonly [string, Raw] | undefined;
  readonly payloadQuirk: PayloadQuirk;
  readonly headerSpelling: Quirk;
  readonly payloadSpelling: Quirk;
}

const validFields: fc.Arbitrary<Fields> = fc.record({
  signer: fc.nat({ max: 7 }),
  alg: fc.constant(undefined),
  kid: fc.constant("own" as const),
  typ: fc.constantFrom(undefined, raw("at+jwt"), raw("JWT"), raw("application/at+jwt"), raw("AT+JWT"), raw("jwt")),
  header: fc.constant([]),
  iss: fc.constant(raw(ISSUER)),
  aud: fc.constantFrom(raw(AUDIENCE), raw([AUDIENCE]), raw(["https://other.example.com", AUDIENCE])),
  exp: fc.oneof(fc.integer({ min: TOLERANCE + 2, max: 86_400 }).map(at), fc.constantFrom(-TOLERANCE + 0.5, -TOLERANCE + 1, 0, 1).map(at)),
  nbf: fc.option(fc.oneof(fc.integer({ min: -86_400, max: 0 }).map(at), fc.constantFrom(TOLERANCE, TOLERANCE - 0.5, 1).map(at)), { nil: undefined }),
  iat: fc.option(fc.oneof(fc.integer({ min: -86_400, max: 0 }).map(at), fc.constantFrom(TOLERANCE, 1).map(at)), { nil: undefined }),
  sub: fc.option(fc.string({ maxLength: 10 }).map(raw), { nil: undefined }),
  jti: fc.option(fc.uuid().map(raw), { nil: undefined, freq: 2 }),
  duplicate: fc.constant(undefined),
  payloadQuirk: fc.constantFrom<PayloadQuirk>("none", "surrounding-space"),
  headerSpelling: fc.constant<Quirk>("canonical"),
  payloadSpelling: fc.constant<Quirk>("canonical"),
});

const wildFields: fc.Arbitrary<Fields> = fc.record({
  // Published keys used wrongly, the unpublished encryption key, and outsiders signing under a published kid.
  signer: fc.nat({ max: 13 }),
  alg: fc.constantFrom("RS256", "RS384", "PS256", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "HS256", "none", "NONE", ""),
  kid: fc.constantFrom("absent" as const, "other" as const, "unknown" as const, "number" as const),
  typ: fc.constantFrom(
    raw("id_token+jwt"),
    raw("oauth-id-jag+jwt"),
    raw("dpop+jwt"),
    raw(""),
    raw("at+jwt; charset=utf-8"),
    raw("application/jwt"),
    "7",
    "null",
  ),
  header: fc.constantFrom<(readonly [string, Raw])[]>(
    [
      ["crit", raw(["b64"])],
      ["b64", "true"],
    ],
    [["b64", "true"]],
    [["b64", "false"]],
    [["crit", raw(["exp"])]],
    [["crit", "[]"]],
    [
      ["crit", raw(["b64"])],
      ["b64", "false"],
    ],
    [["jku", raw("https://attacker.example/jwks.json")]],
    [["x5u", raw("https://attacker.example/cert.pem")]],
    [["jwk", raw({ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" })]],
    [["cty", raw("JWT")]],
    [["__proto__", raw({ alg: "none", kid: "x" })]],
    [["kid", raw("not-published")]], // a second kid: the last one counts
  ),
  iss: sometimesAbsent(
    fc.constantFrom(raw(`${ISSUER}/`), raw("https://other.example.com"), raw(ISSUER.toUpperCase()), raw(` ${ISSUER}`), "42", "null", raw([ISSUER])),
  ),
  aud: sometimesAbsent(
    fc.constantFrom(
      raw("https://other.example.com"),
      raw([]),
      raw(["x"]),
      raw(`${AUDIENCE}/`),
      "42",
      "null",
      raw({ aud: AUDIENCE }),
      raw([AUDIENCE, 42]),
      raw([null, AUDIENCE]),
      raw([["x"], AUDIENCE]),
    ),
  ),
  exp: sometimesAbsent(fc.oneof(fc.constantFrom(...edgeOffsets).map(at), fc.integer({ min: -86_400, max: -TOLERANCE - 1 }).map(at), notANumericDate)),
  nbf: sometimesAbsent(fc.oneof(fc.constantFrom(...edgeOffsets).map(at), fc.integer({ min: TOLERANCE + 1, max: 86_400 }).map(at), notANumericDate)),
  iat: sometimesAbsent(fc.oneof(fc.constantFrom(...edgeOffsets).map(at), fc.integer({ min: TOLERANCE + 1, max: 86_400 }).map(at), notANumericDate)),
  sub: fc.constantFrom("42", "null", "{}", "[]", "true", raw("")),
  jti: fc.constantFrom("42", "null", "[]"),
  duplicate: fc.constantFrom<readonly [string, Raw]>(
    ["iss", raw("https://other.example.com")],
    ["iss", raw(ISSUER)],
    ["exp", at(-3600)],
    ["exp", at(3600)],
    ["aud", raw("x")],
    ["aud", raw(AUDIENCE)],
  ),
  payloadQuirk: fc.constantFrom<PayloadQuirk>("bom", "invalid-utf8", "array", "truncated-json"),
  headerSpelling: fc.constantFrom<Quirk>("padding", "bits", "whitespace"),
  payloadSpelling: fc.constantFrom<Quirk>("padding", "bits", "whitespace"),
});

const FIELD_NAMES = [
  "signer",
  "alg",
  "kid",
  "typ",
  "header",
  "iss",
  "aud",
  "exp",
  "nbf",
  "iat",
  "sub",
  "jti",
  "duplicate",
  "payloadQuirk",
  "headerSpelling",
  "payloadSpelling",
] as const satisfies readonly (keyof Fields)[];

const faultsArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as (keyof Fields)[]) },
  { weight: 3, arbitrary: fc.subarray([...FIELD_NAMES], { minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.subarray([...FIELD_NAMES], { minLength: 2, maxLength: 2 }) },
);

function toSpec(fields: Fields, extra: readonly (readonly [string, Raw])[]): TokenSpec {
  const claims: (readonly [string, Raw])[] = [];
  for (const name of ["iss", "aud", "exp", "nbf", "iat", "sub", "jti"] as const) {
    const value = fields[name];
    if (value !== undefined) claims.push([name, value]);
  }
  claims.push(...extra);
  if (fields.duplicate !== undefined) claims.push(fields.duplicate);
  return {
    signer: fields.signer,
    alg: fields.alg,
    kid: fields.kid,
    typ: fields.typ,
    header: fields.header,
    claims,
    payloadQuirk: fields.payloadQuirk,
    spelling: [fields.headerSpelling, fields.payloadSpelling],
  };
}

const specArb: fc.Arbitrary<TokenSpec> = fc.tuple(validFields, wildFields, faultsArb, extraClaims).map(([valid, wild, faults, extra]) => {
  const fields: Record<string, unknown> = { ...valid };
  for (const name of faults) fields[name] = wild[name];
  return toSpec(fields as unknown as Fields, extra);
});

const validSpecArb: fc.Arbitrary<TokenSpec> = fc.tuple(validFields, extraClaims).map(([valid, extra]) => toSpec(valid, extra));

// ---------------------------------------------------------------------------
// Mutations of the token string, applied after signing

type Mutation =
  | { kind: "replace" | "insert"; at: number; char: string }
  | { kind: "delete" | "truncate"; at: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "realg"; alg: string }
  | { kind: "pad"; segment: number; count: number }
  | { kind: "whitespace"; at: number; char: string }
  | { kind: "bits"; segment: number; noise: number }
  | { kind: "duplicate"; segment: number }
  | { kind: "tamper"; claim: string; value: Raw }
  | { kind: "malleate" }
  | { kind: "zero-prefix" }
  | { kind: "strip-signature" }
  | { kind: "surround"; before: string; after: string }
  | { kind: "transplant"; donor: number };

const tokenChar = fc.constantFrom(..."AQgw_-09azZ", "=", ".", " ", "+", "/", "é", "\u0000");
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("replace" as const, "insert" as const), at: fc.nat(), char: tokenChar }),
  fc.record({ kind: fc.constantFrom("delete" as const, "truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat({ max: 2 }), b: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant("realg" as const), alg: fc.constantFrom("RS256", "RS512", "PS256", "ES256", "ES384", "EdDSA", "Ed25519", "HS256", "none") }),
  fc.record({ kind: fc.constant("pad" as const), segment: fc.nat({ max: 2 }), count: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("whitespace" as const), at: fc.nat(), char: fc.constantFrom(" ", "\n", "\t", "\r") }),
  fc.record({ kind: fc.constant("bits" as const), segment: fc.nat({ max: 2 }), noise: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), segment: fc.nat({ max: 2 }) }),
  fc.record({
    kind: fc.constant("tamper" as const),
    claim: fc.constantFrom("iss", "aud", "exp", "sub", "scope"),
    value: fc.constantFrom(raw("https://other.example.com"), raw(AUDIENCE), at(86_400 * 365), raw("admin")),
  }),
  fc.constant({ kind: "malleate" as const }),
  fc.constant({ kind: "zero-prefix" as const }),
  fc.constant({ kind: "strip-signature" as const }),
  fc.record({ kind: fc.constant("surround" as const), before: fc.constantFrom("", " ", "Bearer "), after: fc.constantFrom("", " ", "\n", "\r\n") }),
  fc.record({ kind: fc.constant("transplant" as const), donor: fc.nat() }),
);

// The group orders (SEC 2, RFC 8032 §5.1): s and n - s are both valid ECDSA
// signatures; S + L is not a valid Ed25519 one (RFC 8032 §5.1.7 requires S < L).
const ORDER: Readonly<Record<string, bigint>> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function malleate(signature: Uint8Array, alg: string): Uint8Array | undefined {
  const order = ORDER[alg];
  if (order !== undefined) {
    const half = signature.length / 2;
    const s = bytesToBigInt(signature.subarray(half));
    return Uint8Array.from([...signature.subarray(0, half), ...bigIntToBytes(order - s, half)]);
  }
  if (alg === "EdDSA" || alg === "Ed25519") {
    const s = bytesToBigInt(signature.subarray(32).slice().reverse()) + ED25519_L; // little-endian (RFC 8032 §5.1.2)
    return Uint8Array.from([...signature.subarray(0, 32), ...bigIntToBytes(s, 32).reverse()]);
  }
  return undefined;
}

function mutate(token: string, mutation: Mutation, context: { alg: string; donors: readonly string[] }): string {
  const parts = token.split(".");
  const segment = (index: number) => parts[index % parts.length] ?? "";
  const withSegment = (index: number, value: string) => parts.map((part, i) => (i === index % parts.length ? value : part)).join(".");
  const position = (at: number) => at % (token.length + 1);
  switch (mutation.kind) {
    case "replace": {
      const where = mutation.at % Math.max(token.length, 1);
      return `${token.slice(0, where)}${mutation.char}${token.slice(where + 1)}`;
    }
    case "insert":
      return `${token.slice(0, position(mutation.at))}${mutation.char}${token.slice(position(mutation.at))}`;
    case "delete": {
      const where = mutation.at % Math.max(token.length, 1);
      return `${token.slice(0, where)}${token.slice(where + 1)}`;
    }
    case "truncate":
      return token.slice(0, position(mutation.at));
    case "swap": {
      const a = mutation.a % parts.length;
      const b = mutation.b % parts.length;
      const swapped = [...parts];
      [swapped[a], swapped[b]] = [parts[b] ?? "", parts[a] ?? ""];
      return swapped.join(".");
    }
    case "realg": {
      const header = joseObject(joseBytes(parts[0]));
      if (header === undefined) return token;
      return withSegment(0, Buffer.from(JSON.stringify({ ...header, alg: mutation.alg })).toString("base64url"));
    }
    case "pad":
      return withSegment(mutation.segment, `${segment(mutation.segment)}${"=".repeat(mutation.count)}`);
    case "whitespace":
      return `${token.slice(0, position(mutation.at))}${mutation.char}${token.slice(position(mutation.at))}`;
    case "bits":
      return withSegment(mutation.segment, respell(segment(mutation.segment), "bits", mutation.noise));
    case "duplicate": {
      const copy = [...parts];
      copy.splice(mutation.segment % parts.length, 0, segment(mutation.segment));
      return copy.join(".");
    }
    case "tamper": {
      const payload = joseBytes(parts[1]);
      const text = payload === undefined ? undefined : new TextDecoder().decode(payload);
      if (text === undefined || !text.startsWith("{")) return token;
      // Appended, so it overrides an earlier member of the same name.
      const tampered = text.trimEnd().endsWith("{}")
        ? `{${JSON.stringify(mutation.claim)}:${mutation.value}}`
        : `${text.trimEnd().slice(0, -1)},${JSON.stringify(mutation.claim)}:${mutation.value}}`;
      return withSegment(1, Buffer.from(tampered).toString("base64url"));
    }
    case "malleate": {
      if (parts.length !== 3 || !isCanonical(segment(2))) return token;
      const changed = malleate(Buffer.from(segment(2), "base64url"), context.alg);
      return changed === undefined ? token : withSegment(2, Buffer.from(changed).toString("base64url"));
    }
    case "zero-prefix":
      if (parts.length !== 3 || !isCanonical(segment(2))) return token;
      return withSegment(2, Buffer.concat([Buffer.from([0]), Buffer.from(segment(2), "base64url")]).toString("base64url"));
    case "strip-signature":
      return withSegment(2, "");
    case "surround":
      return `${mutation.before}${token}${mutation.after}`;
    case "transplant": {
      // The signature of another valid token, from another key or over other claims.
      const donor = context.donors[mutation.donor % Math.max(context.donors.length, 1)];
      return donor === undefined ? token : withSegment(2, donor.split(".")[2] ?? "");
    }
  }
}

/** A few valid tokens whose signatures the "transplant" mutation borrows. */
let donors: string[] = [];

beforeAll(async () => {
  const claims = membersText([
    ["iss", raw(ISSUER)],
    ["aud", raw(AUDIENCE)],
    ["exp", at(600)],
    ["sub", raw("donor")],
  ]);
  donors = await Promise.all(
    signers.slice(0, 8).map((signer) => {
      const header = Buffer.from(
        membersText([
          ["alg", raw(signer.key.alg)],
          ["kid", raw(signer.key.kid)],
        ]),
      ).toString("base64url");
      return signSegments(signer.key, header, Buffer.from(claims).toString("base64url"));
    }),
  );
  for (const donor of donors) expect((await joseDecision(donor)).accepted).toBe(true);
});

// ---------------------------------------------------------------------------
// The properties

describe("differential: tokenward and jose jwtVerify reach the same decision on every token", () => {
  it("on signed tokens with random claims and headers: iss, aud, exp/nbf/iat edges, typ, kid, crit/b64, spellings and payload bytes", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.nat(), async (spec, seed) => {
        const token = await build(spec, seed);
        await compare("random claims and headers", token, spec);
      }),
      { numRuns: 1200, timeout: 10_000 },
    );
  });

  it("on valid tokens mutated after signing: characters flipped, inserted or deleted, segments swapped or duplicated, alg changed, padding, whitespace, unused bits, truncation, malleated or transplanted signatures", async () => {
    await fc.assert(
      fc.asyncProperty(validSpecArb, fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (spec, seed, mutations) => {
        const original = await build(spec, seed);
        const alg = (signers[spec.signer % signers.length] as Signer).key.alg;
        const token = mutations.reduce((current, mutation) => mutate(current, mutation, { alg, donors }), original);
        await compare("mutated valid tokens", token, { spec, mutations });
      }),
      { numRuns: 1000, timeout: 10_000 },
    );
  });

  it("on mutations of tokens that already break a rule (a mutation may make or unmake the difference)", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.nat(), fc.array(mutationArb, { maxLength: 2 }), async (spec, seed, mutations) => {
        const original = await build(spec, seed);
        const alg = (signers[spec.signer % signers.length] as Signer).key.alg;
        const token = mutations.reduce((current, mutation) => mutate(current, mutation, { alg, donors }), original);
        await compare("mutated random tokens", token, { spec, mutations });
      }),
      { numRuns: 400, timeout: 10_000 },
    );
  });
});

// ---------------------------------------------------------------------------
// Each deliberate disagreement, by example: tokenward refuses with the
// class's code, jose accepts, and the class's predicate names the token.

describe("differential: each deliberate disagreement, by example (tokenward refuses, jose accepts)", () => {
  const validClaims = (extra: (readonly [string, Raw])[] = []): (readonly [string, Raw])[] => [
    ["iss", raw(ISSUER)],
    ["aud", raw(AUDIENCE)],
    ["exp", at(600)],
    ...extra,
  ];
  const es256 = () => signers.findIndex((signer) => signer.name === "es256-a");
  const ps256 = () => signers.findIndex((signer) => signer.name === "ps256");
  const spec = (overrides: Partial<TokenSpec>): TokenSpec => ({
    signer: es256(),
    alg: undefined,
    kid: "own",
    typ: raw("at+jwt"),
    header: [],
    claims: validClaims(),
    payloadQuirk: "none",
    spelling: ["canonical", "canonical"],
    ...overrides,
  });

  async function expectDeliberate(token: string, name: string): Promise<void> {
    const disagreement = DISAGREEMENTS.find((candidate) => candidate.name === name);
    if (disagreement === undefined) throw new Error(`no disagreement named ${name}`);
    const reference = await joseDecision(token);
    expect(reference.accepted, `jose should accept (${name})`).toBe(true);
    for (const crypto of BACKENDS) {
      const decision = await tokenwardDecision(crypto, token);
      expect(decision.accepted ? "accepted" : decision.code).toBe(disagreement.code);
    }
    expect(explain(read(token), disagreement.code)?.name).toBe(name);
  }

  it("(a) a signature segment with whitespace, padding or non-zero unused bits (RFC 7515 §2, RFC 4648 §3.5)", async () => {
    const token = await build(spec({ signer: ps256() }), 0);
    await expectDeliberate(`${token}==`, "nonCanonicalBase64url");
    await expectDeliberate(`${token}\n`, "nonCanonicalBase64url");
    await expectDeliberate(mutate(token, { kind: "bits", segment: 2, noise: 5 }, { alg: "PS256", donors: [] }), "nonCanonicalBase64url");
    // A payload whose padded spelling the issuer itself signed.
    await expectDeliberate(await build(spec({ spelling: ["canonical", "padding"] }), 0), "nonCanonicalBase64url");
  });

  it("(b) a token without kid that two published keys suit is refused by both: jose 6 does not try keys one by one either", async () => {
    const token = await build(spec({ kid: "absent" }), 0);
    expect(suitableKeys("ES256")).toHaveLength(2);
    expect((await joseDecision(token)).accepted).toBe(false);
    for (const crypto of BACKENDS) expect(await tokenwardDecision(crypto, token)).toEqual({ accepted: false, code: "key_not_found" });
    // With one suitable key (PS256), both accept a token without kid.
    const single = await build(spec({ signer: ps256(), kid: "absent" }), 0);
    expect((await joseDecision(single)).accepted).toBe(true);
    for (const crypto of BACKENDS) expect((await tokenwardDecision(crypto, single)).accepted).toBe(true);
  });

  it("(c) sub or jti that is not a string (RFC 7519 §4.1.2, §4.1.7)", async () => {
    await expectDeliberate(await build(spec({ claims: validClaims([["sub", "42"]]) }), 0), "registeredClaimType");
    await expectDeliberate(await build(spec({ claims: validClaims([["jti", "{}"]]) }), 0), "registeredClaimType");
  });

  it("(d) iat in the future beyond the clock tolerance, without maxTokenAge", async () => {
    await expectDeliberate(await build(spec({ claims: validClaims([["iat", at(TOLERANCE + 1)]]) }), 0), "iatInTheFuture");
  });

  it("(e) an aud array with a non-string member (RFC 7519 §4.1.3)", async () => {
    await expectDeliberate(await build(spec({ claims: [...validClaims(), ["aud", raw([AUDIENCE, 42])]] }), 0), "audienceArrayWithNonString");
  });

  it("(f) a NumericDate beyond double range, parsed as Infinity (RFC 7519 §2)", async () => {
    await expectDeliberate(await build(spec({ claims: [...validClaims(), ["exp", "1e400"]] }), 0), "nonFiniteNumericDate");
    await expectDeliberate(await build(spec({ claims: validClaims([["nbf", "-1e400"]]) }), 0), "nonFiniteNumericDate");
  });

  it("(g) a claims set starting with a byte order mark (RFC 8259 §8.1)", async () => {
    await expectDeliberate(await build(spec({ payloadQuirk: "bom" }), 0), "byteOrderMark");
  });

  it('(h) crit: ["b64"] with b64: true (RFC 7515 §4.1.11)', async () => {
    const header: [string, Raw][] = [
      ["crit", raw(["b64"])],
      ["b64", "true"],
    ];
    await expectDeliberate(await build(spec({ header }), 0), "criticalHeader");
  });

  it("(i) b64: false without crit (RFC 7797 §6)", async () => {
    await expectDeliberate(await build(spec({ header: [["b64", "false"]] }), 0), "b64WithoutCrit");
  });

  it("(j) a token over maxTokenBytes", async () => {
    const token = await build(spec({ claims: validClaims([["pad", raw("x".repeat(MAX_TOKEN_BYTES))]]) }), 0);
    await expectDeliberate(token, "overSizeLimit");
  });

  it("agrees on malleated signatures: ECDSA (r, n - s) is accepted by both (RFC 7518 §3.4 does not require a low s), Ed25519 S + L by neither (RFC 8032 §5.1.7)", async () => {
    for (const [name, accepted] of [
      ["es256-a", true],
      ["es384", true],
      ["eddsa", false],
    ] as const) {
      const index = signers.findIndex((signer) => signer.name === name);
      const signer = signers[index] as Signer;
      const token = mutate(await build(spec({ signer: index }), 0), { kind: "malleate" }, { alg: signer.key.alg, donors: [] });
      expect((await joseDecision(token)).accepted, name).toBe(accepted);
      for (const crypto of BACKENDS) {
        const decision = await tokenwardDecision(crypto, token);
        expect(decision.accepted ? "accepted" : decision.code, `${name} (${crypto})`).toBe(accepted ? "accepted" : "signature_invalid");
      }
    }
  });
});
