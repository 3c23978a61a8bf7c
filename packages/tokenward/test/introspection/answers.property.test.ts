import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, TokenError, type Verifier } from "../../src/index.js";
import { API, AS_ISSUER, CLIENT_ID, CLIENT_SECRET, type IntrospectionServer, opaqueToken, startIntrospectionServer } from "./helpers.js";

// Whatever the introspection endpoint answers (any JSON value, any object,
// any bytes), verification settles with a result or a TokenError of the
// expected codes: never a crash, never another error. And a result is only
// ever given for an answer that is active, from the issuer, for this API,
// and in its time.

const NOW = 1_800_000_000;
const TOLERANCE = 5;
const ANSWER_CODES = new Set([
  "token_inactive",
  "introspection_unavailable",
  "issuer_untrusted",
  "type_not_allowed",
  "token_expired",
  "token_not_yet_valid",
  "audience_mismatch",
  "claim_missing",
  "claim_invalid",
]);

let as: IntrospectionServer;
let verifier: Verifier;
let body: Buffer = Buffer.from("{}");

beforeAll(async () => {
  as = await startIntrospectionServer();
  as.handle((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  verifier = createVerifier({
    now: () => NOW,
    issuers: [
      {
        issuer: AS_ISSUER,
        audience: API,
        clockTolerance: TOLERANCE,
        introspection: { endpoint: as.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, cache: false, failureBackoffMs: 0 },
      },
    ],
  });
});

afterAll(async () => {
  await as.server.close();
});

/** Mostly the right value (so the accepting path is reached), sometimes a near miss, sometimes anything. */
function member<T>(right: fc.Arbitrary<T>, ...others: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: right, weight: 4 }, ...others.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

const time = (right: fc.Arbitrary<number>) =>
  member(right, fc.integer({ min: NOW - 1000, max: NOW + 1000 }), fc.double(), fc.constantFrom(NOW - TOLERANCE, NOW + TOLERANCE, NOW), fc.jsonValue());

/** Answers that look like RFC 7662 answers, each member either right, nearly right or anything. */
const answerLike = fc
  .record(
    {
      active: member(fc.constant(true), fc.constant(false), fc.jsonValue()),
      iss: member(fc.constant(AS_ISSUER), fc.constantFrom(`${AS_ISSUER}/`, AS_ISSUER.toUpperCase(), "http://as.example.com", ""), fc.jsonValue()),
      aud: member(fc.constantFrom(API, [API, "x"]), fc.constant(["x"]), fc.jsonValue()),
      exp: time(fc.integer({ min: NOW, max: NOW + 3600 })),
      nbf: time(fc.integer({ min: NOW - 3600, max: NOW })),
      iat: time(fc.integer({ min: NOW - 3600, max: NOW })),
      token_type: member(fc.constant("Bearer"), fc.constantFrom("refresh_token", "urn:ietf:params:oauth:token-type:id_token", "N_A"), fc.jsonValue()),
      typ: member(fc.constant("Bearer"), fc.constantFrom("Refresh", "ID"), fc.jsonValue()),
      scope: member(fc.constant("read:data write:data"), fc.jsonValue()),
      sub: member(fc.string(), fc.jsonValue()),
      roles: fc.jsonValue(),
      __proto__: fc.jsonValue(),
    },
    { requiredKeys: ["active", "iss", "aud"] },
  )
  .chain((known) => fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }).map((extra) => ({ ...extra, ...known })));

async function settle(answer: Buffer): Promise<{ accepted: boolean; code?: string; claims?: unknown }> {
  body = answer;
  try {
    const verified = await verifier.verify(opaqueToken());
    return { accepted: true, claims: verified.claims };
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    expect(ANSWER_CODES).toContain(error.code);
    expect(error.hint.length).toBeGreaterThan(0);
    return { accepted: false, code: error.code };
  }
}

function audienceHolds(aud: unknown): boolean {
  return aud === API || (Array.isArray(aud) && aud.every((item) => typeof item === "string") && aud.includes(API));
}

describe("any answer settles into a result or an expected TokenError", () => {
  it("arbitrary JSON values", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const outcome = await settle(Buffer.from(JSON.stringify(value) ?? "null"));
        // Only an object with active: true could be accepted, and no arbitrary value is from our issuer for our API.
        if (outcome.accepted) expect((value as Record<string, unknown>).active).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const outcome = await settle(Buffer.from(bytes));
        expect(outcome.accepted).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("answer-like objects: accepted only when active, from the issuer, for this API, within its times", async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(answerLike, async (answer) => {
        const text = JSON.stringify(answer);
        const outcome = await settle(Buffer.from(text));
        seen[outcome.accepted ? "accepted" : "refused"]++;
        if (!outcome.accepted) return;
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(outcome.claims).toEqual(parsed);
        expect(parsed.active).toBe(true);
        expect(parsed.iss).toBe(AS_ISSUER);
        expect(audienceHolds(parsed.aud)).toBe(true);
        if (parsed.exp !== undefined) expect(parsed.exp as number).toBeGreaterThan(NOW - TOLERANCE);
        if (parsed.nbf !== undefined) expect(parsed.nbf as number).toBeLessThanOrEqual(NOW + TOLERANCE);
        for (const member of ["token_type", "typ"]) {
          const value = parsed[member];
          if (typeof value === "string") expect(["refresh_token", "refresh", "id", "id_token", "n_a"]).not.toContain(value.toLowerCase());
        }
      }),
      { numRuns: 400 },
    );
    // Both sides of the decision were exercised, not only refusals.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
