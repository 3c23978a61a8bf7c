import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type Verifier, type VerifierOptions } from "../../src/index.js";
import { NOW } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { type Outcome, outcome } from "../helpers/outcome.js";

// The cache can never change a decision: verifiers with the default cache, a
// tiny cache and none, sharing one clock, are shown the same sequence of
// tokens while the clock jumps back and forth across every time boundary.
// At each step all three must decide alike (same claims, or same code and hint).

const AGED = "https://aged.example.com";
const OLD = "https://grandfathered.example.com";
const CHECKED = "https://checked.example.com";
const UNKNOWN = "https://unknown.example.com";
const TOLERANCE = 5;
const MAX_AGE = 300;
const UNTIL = NOW + 2_000;
/** The CHECKED issuer's own check refuses from this instant on: state the token does not carry. */
const CHECK_FLIPS_AT = NOW + 1_500;

let clock = NOW;
let key: TestKey;
let stranger: TestKey;

interface PoolToken {
  readonly name: string;
  readonly token: string;
  /** The instants at which this token's decision flips (by the rules of its issuer), where the cache is most likely to be wrong. */
  readonly edges: readonly number[];
}
let pool: PoolToken[] = [];

/** Each issuer's time bounds, as `policies()` configures them. */
const BOUNDS: Record<string, { tolerance: number; maxAge?: number; until?: number; flipsAt?: number }> = {
  [ISSUER]: { tolerance: TOLERANCE },
  [AGED]: { tolerance: 0, maxAge: MAX_AGE },
  [OLD]: { tolerance: 5, until: UNTIL },
  [CHECKED]: { tolerance: 5, flipsAt: CHECK_FLIPS_AT },
};

function policies(): IssuerPolicy[] {
  const jwks = jwksOf(key);
  return [
    { issuer: ISSUER, audience: AUDIENCE, jwks, clockTolerance: TOLERANCE },
    { issuer: AGED, audience: AUDIENCE, jwks, clockTolerance: 0, maxTokenAge: MAX_AGE },
    { issuer: OLD, audience: AUDIENCE, jwks, until: UNTIL },
    // A check that reads state the token does not carry (here the clock; in an application, a revocation list).
    { issuer: CHECKED, audience: AUDIENCE, jwks, check: () => clock < CHECK_FLIPS_AT || "the account was suspended" },
  ];
}

/** Where the rules of RFC 7519 §4.1.4-4.1.6 (with the tolerance), maxTokenAge, `until` and the check change their answer. */
function edgesOf(claims: Record<string, unknown>): number[] {
  const bounds = BOUNDS[String(claims.iss)] ?? { tolerance: TOLERANCE };
  const { tolerance, maxAge, until, flipsAt } = bounds;
  const number = (name: string) => (typeof claims[name] === "number" ? (claims[name] as number) : undefined);
  const exp = number("exp");
  const nbf = number("nbf");
  const iat = number("iat");
  return [
    exp === undefined ? undefined : exp + tolerance, // expired once exp <= now - tolerance
    nbf === undefined ? undefined : nbf - tolerance, // not yet valid while nbf > now + tolerance
    iat === undefined ? undefined : iat - tolerance,
    iat === undefined || maxAge === undefined ? undefined : iat + tolerance + maxAge,
    until,
    flipsAt,
  ].filter((edge): edge is number => edge !== undefined);
}

function verifierWith(cache: VerifierOptions["cache"]): Verifier {
  return createVerifier({ crypto: "node", now: () => clock, issuers: policies(), ...(cache === undefined ? {} : { cache }) });
}

const totals = { runs: 0, steps: 0, verifications: 0, accepted: 0, hits: 0, smallCacheHits: 0 };

beforeAll(async () => {
  [key, stranger] = await Promise.all([generateKey("ES256", "k1"), generateKey("ES256", "k-stranger")]);
  const at = (claims: Record<string, unknown>) => accessClaims(claims, NOW) as Record<string, unknown>;
  const specs: [string, Record<string, unknown>][] = [
    ["long", { exp: NOW + 3_600 }],
    ["short", { exp: NOW + 60 }],
    ["fractional times", { exp: NOW + 120.5, iat: NOW - 0.25 }],
    ["expired", { iat: NOW - 600, exp: NOW - 100 }],
    ["nbf ahead", { nbf: NOW + 200, exp: NOW + 3_600 }],
    ["iat ahead", { iat: NOW + 400, exp: NOW + 3_600 }],
    ["nbf and iat", { nbf: NOW + 30, iat: NOW + 10, exp: NOW + 900 }],
    ["wrong audience", { aud: "https://other-api.example.com" }],
    ["no exp", { exp: undefined }],
    ["aged", { iss: AGED, iat: NOW - 100, exp: NOW + 3_600 }],
    ["aged fresh", { iss: AGED, iat: NOW, exp: NOW + 3_600 }],
    ["aged without iat", { iss: AGED, iat: undefined, exp: NOW + 3_600 }],
    ["grandfathered", { iss: OLD, exp: NOW + 5_000 }],
    ["checked", { iss: CHECKED, exp: NOW + 3_600 }],
    ["unknown issuer", { iss: UNKNOWN }],
  ];
  const signed = await Promise.all(
    specs.map(async ([name, overrides]) => {
      const claims = at(overrides);
      return { name, token: await signToken(key, claims), edges: edgesOf(claims) };
    }),
  );
  const long = signed[0] as PoolToken;
  const twin = await signToken(key, at({ exp: NOW + 3_600 }));
  const [header, , signature] = long.token.split(".") as [string, string, string];
  const forgedPayload = Buffer.from(JSON.stringify(at({ exp: NOW + 3_600, sub: "admin" }))).toString("base64url");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
  pool = [
    ...signed,
    // Identical claims, another signature (ES256 signatures are randomised): another entry.
    { name: "long (twin)", token: twin, edges: long.edges },
    { name: "unknown key", token: await signToken(stranger, at({ exp: NOW + 3_600 })), edges: [] },
    // Tampered copies of "long", each keeping its last 43 characters.
    { name: "forged payload", token: `${header}.${forgedPayload}.${signature}`, edges: long.edges },
    { name: "forged signature", token: `${long.token.slice(0, long.token.lastIndexOf(".") + 1)}${flipped}`, edges: long.edges },
  ];
});

afterAll(() => {
  console.log(
    `cache decisions: ${totals.runs} runs, ${totals.steps} steps, ${totals.verifications} verifications compared (${totals.accepted} accepted), ${totals.hits} cache hits (default cache), ${totals.smallCacheHits} hits (maxEntries 3, maxTtlSeconds 30)`,
  );
});

type Step =
  | { readonly kind: "verify"; readonly index: number }
  | { readonly kind: "again" }
  | { readonly kind: "move"; readonly seconds: number }
  | { readonly kind: "edge"; readonly index: number; readonly offset: number }
  | { readonly kind: "cross"; readonly index: number; readonly from: number; readonly to: number };

const OFFSETS = [-0.5, -0.001, 0, 0.001, 0.5] as const;

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 1_000 }).map((index): Step => ({ kind: "verify", index })) },
  // The token verified last, once more: clients reuse their tokens, and this is what makes hits.
  { weight: 6, arbitrary: fc.constant<Step>({ kind: "again" }) },
  // Small moves either way, in milliseconds so fractional instants occur.
  { weight: 2, arbitrary: fc.integer({ min: -400_000, max: 400_000 }).map((ms): Step => ({ kind: "move", seconds: ms / 1000 })) },
  // Nudges across an edge just reached.
  { weight: 2, arbitrary: fc.constantFrom(-1, -0.001, 0.001, 0.5, 1).map((seconds): Step => ({ kind: "move", seconds })) },
  // Large jumps: past every exp, and back before every nbf.
  { weight: 1, arbitrary: fc.constantFrom(-100_000, -5_000, -1_000, 1_000, 5_000, 100_000).map((seconds): Step => ({ kind: "move", seconds })) },
  // To an edge of a token in play, or just before or after it.
  {
    weight: 3,
    arbitrary: fc.record({ index: fc.nat({ max: 1_000 }), offset: fc.constantFrom(...OFFSETS) }).map((edge): Step => ({ kind: "edge", ...edge })),
  },
  // The likeliest way for a cache to err: the last token cached (three verifications) on one side
  // of an edge, then verified on the other, in either direction.
  {
    weight: 2,
    arbitrary: fc
      .record({ index: fc.nat({ max: 1_000 }), from: fc.constantFrom(...OFFSETS), to: fc.constantFrom(...OFFSETS) })
      .map((cross): Step => ({ kind: "cross", ...cross })),
  },
);

describe("the verified-token cache never changes a decision (property)", () => {
  it("verifiers with the default cache, a tiny cache and no cache decide every step alike, across clock moves in both directions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: 100 }), { minLength: 1, maxLength: 3 }),
        fc.array(step, { minLength: 10, maxLength: 80, size: "max" }),
        async (picks, steps) => {
          // A few tokens per run, so each comes back often enough to be cached.
          const inPlay = picks.map((pick) => pool[pick % pool.length] as PoolToken);
          const edges = inPlay.flatMap((entry) => entry.edges);
          clock = NOW;
          const cached = verifierWith(undefined);
          const small = verifierWith({ maxEntries: 3, maxTtlSeconds: 30 });
          const reference = verifierWith(false);
          totals.runs++;
          let last = inPlay[0] as PoolToken;
          const compare = async () => {
            const expected: Outcome = await outcome(reference.verify(last.token));
            const context = `${last.name} at NOW${clock >= NOW ? "+" : ""}${clock - NOW}`;
            expect(await outcome(cached.verify(last.token)), context).toEqual(expected);
            expect(await outcome(small.verify(last.token)), context).toEqual(expected);
            totals.verifications++;
            if (expected.accepted) totals.accepted++;
          };
          const edgeAt = (index: number) => (edges.length === 0 ? clock : (edges[index % edges.length] as number));
          for (const current of steps) {
            totals.steps++;
            if (current.kind === "move") clock += current.seconds;
            else if (current.kind === "edge") clock = edgeAt(current.index) + current.offset;
            else if (current.kind === "cross") {
              const edge = edgeAt(current.index);
              clock = edge + current.from;
              for (let i = 0; i < 3; i++) await compare();
              clock = edge + current.to;
              await compare();
            } else {
              if (current.kind === "verify") last = inPlay[current.index % inPlay.length] as PoolToken;
              await compare();
            }
          }
          totals.hits += cached.cacheStats().hits;
          totals.smallCacheHits += small.cacheStats().hits;
          expect(small.cacheStats().entries).toBeLessThanOrEqual(3);
          expect(reference.cacheStats()).toEqual({ entries: 0, bytes: 0, hits: 0, misses: 0 });
        },
      ),
      { numRuns: 300 },
    );
    // The property was exercised where it matters: answers served from the cache.
    expect(totals.hits).toBeGreaterThan(0);
    expect(totals.smallCacheHits).toBeGreaterThan(0);
    expect(totals.accepted).toBeGreaterThan(0);
    expect(totals.verifications - totals.accepted).toBeGreaterThan(0);
  });
});
