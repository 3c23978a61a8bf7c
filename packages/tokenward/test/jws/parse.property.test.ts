import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TOKEN_ERROR_CODES } from "../../src/errors/codes.js";
import { TokenError } from "../../src/errors/token-error.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { parseCompactJws } from "../../src/jws/parse.js";
import { decodeUtf8 } from "../../src/jws/utf8.js";
import { b64text, deepLiteral, deepText, jsonText, membersText, numberLiteral, objectText, signSegments } from "../helpers/jws-arbitraries.js";
import { AUDIENCE, generateKey, ISSUER, jwksOf, type TestKey } from "../helpers/keys.js";

const NOW = 1_750_000_000;
const BACKENDS = ["node", "webcrypto"] as const;
const KNOWN_CODES = new Set<string>(TOKEN_ERROR_CODES);

/** The reference reading of a segment: strict UTF-8 (RFC 7515 §5.2 step 4), the BOM kept, so a BOM is not JSON whitespace. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function referenceJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7515 §4.1: the header rules every JWS must meet whatever the policy (alg, crit §4.1.11, RFC 7797 b64, kid and typ strings). */
function referenceHeaderOk(bytes: Uint8Array): boolean {
  const parsed = referenceJson(bytes);
  if (!parsed.ok || !isPlainObject(parsed.value)) return false;
  const header = parsed.value;
  return (
    typeof header.alg === "string" &&
    header.alg !== "" &&
    header.crit === undefined &&
    (header.b64 === undefined || header.b64 === true) &&
    (header.kid === undefined || typeof header.kid === "string") &&
    (header.typ === undefined || typeof header.typ === "string")
  );
}

/**
 * Deep equality of two JSON values without recursion: claims may nest
 * thousands of levels, deeper than a recursive comparison's stack.
 */
function sameJson(left: unknown, right: unknown): boolean {
  const pending: [unknown, unknown][] = [[left, right]];
  while (pending.length > 0) {
    const [a, b] = pending.pop() as [unknown, unknown];
    if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
      if (!Object.is(a, b)) return false;
      continue;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(b, key)) return false;
      pending.push([(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

function expectTokenError(error: unknown, code?: string): asserts error is TokenError {
  if (!TokenError.is(error)) throw new Error(`expected a TokenError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  expect(KNOWN_CODES.has(error.code)).toBe(true);
  if (code !== undefined) expect(error.code).toBe(code);
}

/** Bytes to put in a segment: UTF-8 of JSON text, with a BOM, or arbitrary (often invalid UTF-8). */
const segmentBytes = (text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 6, arbitrary: text.map((value) => new TextEncoder().encode(value)) },
    { weight: 1, arbitrary: text.map((value) => new TextEncoder().encode(`\ufeff${value}`)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        ...[
          [0xc3, 0x28],
          [0xed, 0xa0, 0x80],
          [0xc0, 0xaf],
          [0xf4, 0x90, 0x80, 0x80],
        ].map((bad) => Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bad, 0x22, 0x7d])),
      ),
    },
  );

const headerText = fc.oneof(
  { weight: 1, arbitrary: objectText() },
  { weight: 1, arbitrary: jsonText },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('"ES256"', '"EdDSA"', '"none"', '"HS256"', '""', "7", "null"),
        fc.option(stringLiteralOrNumber(), { nil: undefined }),
        objectText(jsonText),
      )
      .map(([alg, kid, rest]) => `{"alg":${alg}${kid === undefined ? "" : `,"kid":${kid}`}${rest === "{}" ? "" : `,${rest.slice(1, -1)}`}}`),
  },
);

function stringLiteralOrNumber(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom('"es256"', '"ed25519"', '"unknown"'), numberLiteral);
}

/** Strings near the shape of a compact JWS. */
const compactish = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc
    .array(fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= +/\n"), maxLength: 60 }), { maxLength: 6 })
    .map((parts) => parts.join(".")),
  fc.tuple(segmentBytes(headerText), segmentBytes(jsonText), fc.uint8Array({ maxLength: 80 })).map(([h, p, s]) => `${b64text(h)}.${b64text(p)}.${b64text(s)}`),
);

let es256: TestKey;
let ed25519: TestKey;
const verifiers = new Map<string, Verifier>();
const stats = { parsed: 0, parseRefused: 0, structured: 0, structuredParsed: 0, verifyRuns: 0, signedRuns: 0, signedAccepted: 0, oversized: 0 };

beforeAll(async () => {
  [es256, ed25519] = await Promise.all([generateKey("ES256", "es256"), generateKey("EdDSA", "ed25519")]);
  for (const crypto of BACKENDS) {
    verifiers.set(crypto, createVerifier({ crypto, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(es256, ed25519) }] }));
  }
});

afterAll(() => {
  console.log(
    `parse properties: parseCompactJws ${stats.parsed} parsed / ${stats.parseRefused} refused on near-JWS strings, ${stats.structuredParsed} of ${stats.structured} structured garbage tokens parsed; verify ${stats.verifyRuns} garbage tokens; ${stats.signedRuns} signed garbage tokens, ${stats.signedAccepted} accepted; ${stats.oversized} oversized tokens refused unparsed`,
  );
});

function verifierFor(crypto: (typeof BACKENDS)[number]): Verifier {
  const verifier = verifiers.get(crypto);
  if (verifier === undefined) throw new Error("verifier not set up");
  return verifier;
}

describe("parseCompactJws (RFC 7515 §7.1, §5.2): properties", () => {
  it("throws nothing but a token_malformed TokenError on any string", () => {
    fc.assert(
      fc.property(compactish, (token) => {
        try {
          const parsed = parseCompactJws(token);
          stats.parsed++;
          expect(typeof parsed.header.alg).toBe("string");
        } catch (error) {
          stats.parseRefused++;
          expectTokenError(error, "token_malformed");
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("accepts structured garbage exactly when the header meets RFC 7515 §4.1, and then returns what was encoded", () => {
    fc.assert(
      fc.property(segmentBytes(headerText), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), (header, payload, signature) => {
        stats.structured++;
        const token = `${b64text(header)}.${b64text(payload)}.${b64text(signature)}`;
        const expectOk = referenceHeaderOk(header);
        let parsed: ReturnType<typeof parseCompactJws>;
        try {
          parsed = parseCompactJws(token);
        } catch (error) {
          expectTokenError(error, "token_malformed");
          expect(expectOk).toBe(false);
          return;
        }
        expect(expectOk).toBe(true);
        stats.structuredParsed++;
        const reference = referenceJson(header);
        expect(reference.ok && sameJson(parsed.header, reference.value)).toBe(true);
        expect(new Uint8Array(parsed.payload)).toEqual(payload);
        expect(new Uint8Array(parsed.signature)).toEqual(signature);
        expect(parsed.signingInput).toBe(token.slice(0, token.lastIndexOf(".")));
      }),
      { numRuns: 600 },
    );
  });

  it("reads segments as strict UTF-8, with and without Buffer, exactly as a fatal TextDecoder does (RFC 7515 §5.2 step 4)", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 32 }),
      fc.string({ unit: "binary", maxLength: 16 }).map((text) => new TextEncoder().encode(text)),
      fc
        .array(fc.constantFrom(0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xbb, 0xf0, 0xf4, 0xf5, 0xff, 0x41), { maxLength: 12 })
        .map((list) => Uint8Array.from(list)),
    );
    vi.resetModules();
    vi.doMock("../../src/util/platform.js", () => ({ nodeBuffer: undefined, nodeCrypto: undefined }));
    try {
      const portable = await import("../../src/jws/utf8.js");
      fc.assert(
        fc.property(bytes, (input) => {
          let expected: string | undefined;
          try {
            expected = strictUtf8.decode(input);
          } catch {
            expected = undefined;
          }
          expect(decodeUtf8(input)).toBe(expected);
          expect(portable.decodeUtf8(input)).toBe(expected);
        }),
        { numRuns: 500 },
      );
    } finally {
      vi.doUnmock("../../src/util/platform.js");
      vi.resetModules();
    }
  });
});

describe("verify() on garbage: properties", () => {
  for (const crypto of BACKENDS) {
    it(`rejects arbitrary strings and structured garbage only with a TokenError, never a TypeError or RangeError (${crypto})`, async () => {
      const verifier = verifierFor(crypto);
      // Garbage that gets past the parser and issuer selection: a real kid, the trusted iss, a random signature.
      const nearValid = fc
        .tuple(
          fc.constantFrom("ES256", "EdDSA", "RS256", "HS256", "none", "Ed25519"),
          fc.constantFrom("es256", "ed25519", "other"),
          objectText(),
          fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 300 })),
        )
        .map(
          ([alg, kid, claims, signature]) =>
            `${b64text(JSON.stringify({ alg, kid }))}.${b64text(`{"iss":${JSON.stringify(ISSUER)}${claims === "{}" ? "" : `,${claims.slice(1, -1)}`}}`)}.${b64text(signature)}`,
        );
      const deepIss = deepText.map((deep) => `${b64text('{"alg":"ES256","kid":"es256"}')}.${b64text(`{"iss":${deep}}`)}.${b64text(new Uint8Array(64))}`);
      const deepHeader = deepText.map((deep) => `${b64text(`{"alg":"ES256","crit":${deep}}`)}.${b64text("{}")}.`);
      await fc.assert(
        fc.asyncProperty(fc.oneof(compactish, nearValid, deepIss, deepHeader), async (token) => {
          stats.verifyRuns++;
          const error = await verifier.verify(token).then(
            () => new Error("garbage was accepted"),
            (caught: unknown) => caught,
          );
          expectTokenError(error);
        }),
        { numRuns: 600, timeout: 5_000 },
      );
    });

    it(`never throws anything but a TokenError on validly signed garbage claims, and freezes what it accepts (${crypto})`, async () => {
      const verifier = verifierFor(crypto);
      const base = [
        ["iss", JSON.stringify(ISSUER)],
        ["aud", JSON.stringify(AUDIENCE)],
        ["exp", String(NOW + 300)],
      ] as const;
      const extra = fc.array(
        fc.tuple(
          fc.constantFrom("sub", "jti", "scope", "scp", "roles", "groups", "realm_access", "permissions", "nbf", "iat", "aud", "__proto__", "constructor", "x"),
          fc.oneof({ weight: 8, arbitrary: jsonText }, { weight: 1, arbitrary: deepText }),
        ),
        {
          maxLength: 5,
        },
      );
      const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(es256, ed25519), fc.constantFrom(undefined, "at+jwt", "JWT"), extra, async (key, typ, members) => {
          stats.signedRuns++;
          const header = b64text(JSON.stringify({ alg: key.alg, kid: key.kid, ...(typ === undefined ? {} : { typ }) }));
          const payloadText = membersText([...base, ...members]);
          const token = await signSegments(key, header, b64text(payloadText));
          let verified: Awaited<ReturnType<Verifier["verify"]>>;
          try {
            verified = await verifier.verify(token);
          } catch (error) {
            expectTokenError(error);
            return;
          }
          stats.signedAccepted++;
          expect(Object.isFrozen(verified)).toBe(true);
          expect(Object.isFrozen(verified.claims)).toBe(true);
          expect(Object.isFrozen(verified.header)).toBe(true);
          expect(Object.isFrozen(verified.scopes)).toBe(true);
          expect(Object.isFrozen(verified.roles)).toBe(true);
          expect(Object.isFrozen(verified.permissions)).toBe(true);
          expect(sameJson(verified.claims, JSON.parse(payloadText))).toBe(true);
          expect(Object.getPrototypeOf(verified.claims)).toBe(Object.prototype);
          // No claim, "__proto__" included, reaches Object.prototype.
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
        }),
        { numRuns: 400, timeout: 5_000 },
      );
    });
  }
});

describe("verify(): the size limit and prototype pollution", () => {
  it("refuses a token longer than maxTokenBytes as token_malformed before parsing any of it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 64, max: 4096 }),
        fc.integer({ min: 1, max: 600 }),
        fc.constantFrom("garbage", "dots", "jws"),
        async (limit, over, shape) => {
          stats.oversized++;
          const verifier = createVerifier({
            crypto: "node",
            maxTokenBytes: limit,
            now: () => NOW,
            issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(es256) }],
          });
          const length = limit + over;
          const token =
            shape === "garbage"
              ? "\u{1f511}".repeat(length).slice(0, length)
              : shape === "dots"
                ? ".".repeat(length)
                : `${b64text('{"alg":"none"}')}.${b64text(`{"iss":${JSON.stringify(ISSUER)},"pad":"${"x".repeat(length)}"}`)}.`.slice(0, length);
          expect(token.length).toBe(length);
          const parse = vi.spyOn(JSON, "parse");
          try {
            const error = await verifier.verify(token).catch((caught: unknown) => caught);
            expectTokenError(error, "token_malformed");
            expect(error.hint).toContain("maxTokenBytes");
            expect(parse).not.toHaveBeenCalled();
          } finally {
            parse.mockRestore();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("accepts a token exactly maxTokenBytes long and refuses it one byte under", async () => {
    const payload = membersText([
      ["iss", JSON.stringify(ISSUER)],
      ["aud", JSON.stringify(AUDIENCE)],
      ["exp", String(NOW + 60)],
    ]);
    const token = await signSegments(es256, b64text(JSON.stringify({ alg: "ES256", kid: es256.kid })), b64text(payload));
    const at = (limit: number) =>
      createVerifier({ maxTokenBytes: limit, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(es256) }] });
    await expect(at(token.length).verify(token)).resolves.toMatchObject({ claims: { iss: ISSUER } });
    const error = await at(token.length - 1)
      .verify(token)
      .catch((caught: unknown) => caught);
    expectTokenError(error, "token_malformed");
  });

  for (const crypto of BACKENDS) {
    it(`keeps a "__proto__" claim as a plain own member and never pollutes Object.prototype (${crypto})`, async () => {
      const payload = membersText([
        ["iss", JSON.stringify(ISSUER)],
        ["aud", JSON.stringify(AUDIENCE)],
        ["exp", String(NOW + 60)],
        ["__proto__", '{"polluted":"yes","isAdmin":true,"roles":["admin"]}'],
        ["constructor", '{"prototype":{"polluted":"yes"}}'],
        ["realm_access", '{"__proto__":{"roles":["admin"]}}'],
      ]);
      const header = b64text('{"alg":"EdDSA","kid":"ed25519","__proto__":{"alg":"none"}}');
      const verified = await verifierFor(crypto).verify(await signSegments(ed25519, header, b64text(payload)));
      expect(Object.hasOwn(verified.claims, "__proto__")).toBe(true);
      expect(Object.getPrototypeOf(verified.claims)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(verified.claims, "__proto__")?.value).toEqual({ polluted: "yes", isAdmin: true, roles: ["admin"] });
      expect(verified.header.alg).toBe("EdDSA");
      // Roles are read from own members only: neither the top-level nor realm_access's "__proto__" grants one.
      expect(verified.roles).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    });

    it(`refuses a claims set that hides iss, aud and exp inside "__proto__": only own members are claims (${crypto})`, async () => {
      const payload = `{"__proto__":${membersText([
        ["iss", JSON.stringify(ISSUER)],
        ["aud", JSON.stringify(AUDIENCE)],
        ["exp", String(NOW + 60)],
      ])}}`;
      const token = await signSegments(es256, b64text('{"alg":"ES256","kid":"es256"}'), b64text(payload));
      const error = await verifierFor(crypto)
        .verify(token)
        .catch((caught: unknown) => caught);
      expectTokenError(error, "issuer_untrusted");
    });
  }

  it("answers an iss of thousands of slashes with issuer_untrusted and the trailing-slash hint", async () => {
    const header = b64text('{"alg":"ES256","kid":"es256"}');
    const signature = b64text(new Uint8Array(64));
    const trailing = await verifierFor("node")
      .verify(`${header}.${b64text(JSON.stringify({ iss: `${ISSUER}${"/".repeat(11_000)}` }))}.${signature}`)
      .catch((caught: unknown) => caught);
    expectTokenError(trailing, "issuer_untrusted");
    expect(trailing.hint).toContain("trailing slash");
    const inner = await verifierFor("node")
      .verify(`${header}.${b64text(JSON.stringify({ iss: `${"/".repeat(11_000)}x` }))}.${signature}`)
      .catch((caught: unknown) => caught);
    expectTokenError(inner, "issuer_untrusted");
  });

  it("answers a claim nested as deep as the size limit allows with a TokenError whose hint stays short", async () => {
    for (const kind of ["array", "object"] as const) {
      const depth = kind === "array" ? 6000 : 2000;
      const token = `${b64text('{"alg":"ES256","kid":"es256"}')}.${b64text(`{"iss":${deepLiteral(depth, kind)}}`)}.${b64text(new Uint8Array(64))}`;
      expect(token.length).toBeLessThanOrEqual(16 * 1024);
      const error = await verifierFor("node")
        .verify(token)
        .catch((caught: unknown) => caught);
      expectTokenError(error, "issuer_untrusted");
      expect(error.hint.length).toBeLessThan(400);
    }
  });
});
