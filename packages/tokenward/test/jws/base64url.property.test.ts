import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from "../../src/jws/base64url.js";

/**
 * A reference implementation written from RFC 4648 §5 (the URL- and
 * filename-safe alphabet), §3.5 (canonical encoding: the pad bits are zero)
 * and RFC 7515 §2 (no padding, no whitespace or line breaks). Deliberately
 * naive and independent of Buffer and atob.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function referenceEncode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const group = bytes.subarray(i, i + 3);
    const bits = ((group[0] ?? 0) << 16) | ((group[1] ?? 0) << 8) | (group[2] ?? 0);
    // RFC 4648 §4: 1 byte gives 2 characters, 2 give 3, 3 give 4; no "=" (RFC 7515 §2).
    for (let j = 0; j <= group.length; j++) out += ALPHABET.charAt((bits >> (18 - 6 * j)) & 63);
  }
  return out;
}

/** The bytes `text` canonically encodes, or undefined when it is not canonical base64url. */
function referenceDecode(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined; // 6 bits cannot hold a byte
  const out: number[] = [];
  let buffer = 0;
  let held = 0;
  for (let i = 0; i < text.length; i++) {
    const value = ALPHABET.indexOf(text.charAt(i));
    if (value === -1) return undefined;
    buffer = (buffer << 6) | value;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push((buffer >> held) & 0xff);
      buffer &= (1 << held) - 1;
    }
  }
  // RFC 4648 §3.5: the unused bits of the last character must be zero.
  if (buffer !== 0) return undefined;
  return Uint8Array.from(out);
}

/** Strings near the alphabet: the edge characters a lenient decoder forgives. */
const nearAlphabetChar = fc.constantFrom(...ALPHABET, "=", "+", "/", " ", "\n", "\r", "\t", ".", "é", "\u0000", "\ud800", "\u{1f511}");
const arbitraryText = fc.oneof(
  fc.string({ unit: nearAlphabetChar, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("base64")),
);

/** Bytes, sometimes as a view into a larger buffer (a non-zero byteOffset). */
const bytesArb = fc
  .tuple(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 8 }), fc.nat({ max: 8 }))
  .map(([bytes, head, tail]) => new Uint8Array([...new Uint8Array(head), ...bytes, ...new Uint8Array(tail)]).subarray(head, head + bytes.length));

const runs = { canonical: 0, strings: 0, refused: 0 };

afterAll(() => {
  console.log(
    `base64url properties: ${runs.canonical} byte strings round-tripped, ${runs.strings} strings compared with the RFC 4648 reference, ${runs.refused} refused`,
  );
});

describe("base64url (RFC 4648 §5, RFC 7515 §2): properties", () => {
  it("encodes any bytes exactly as Buffer and the RFC 4648 reference do, canonically, and decodes them back", () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        runs.canonical++;
        const encoded = Buffer.from(bytes).toString("base64url");
        expect(referenceEncode(bytes)).toBe(encoded);
        expect(encodeBase64url(bytes)).toBe(encoded);
        expect(isCanonicalBase64url(encoded)).toBe(true);
        expect(new Uint8Array(decodeBase64url(encoded))).toEqual(new Uint8Array(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("accepts exactly the strings the RFC 4648 reference decodes canonically, and decodes them to the same bytes", () => {
    fc.assert(
      fc.property(arbitraryText, (text) => {
        runs.strings++;
        const expected = referenceDecode(text);
        expect(isCanonicalBase64url(text)).toBe(expected !== undefined);
        if (expected === undefined) runs.refused++;
        else expect(new Uint8Array(decodeBase64url(text))).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses a character outside the base64url alphabet anywhere in an otherwise canonical string (RFC 7515 §2)", () => {
    const outsider = fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((char) => !ALPHABET.includes(char));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), outsider, fc.nat(), (bytes, char, where) => {
        const encoded = Buffer.from(bytes).toString("base64url");
        const at = where % (encoded.length + 1);
        const spoiled = `${encoded.slice(0, at)}${char}${encoded.slice(at)}`;
        expect(isCanonicalBase64url(spoiled)).toBe(false);
        expect(referenceDecode(spoiled)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("refuses padding, which RFC 7515 §2 leaves out, although base64 (RFC 4648 §4) would add it", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 3 }), (bytes, count) => {
        const encoded = Buffer.from(bytes).toString("base64url");
        const padded = `${encoded}${"=".repeat(count)}`;
        expect(isCanonicalBase64url(padded)).toBe(false);
        // The RFC 4648 §4 padded form, which a lenient decoder reads as the same bytes.
        const standard = `${encoded}${"=".repeat((4 - (encoded.length % 4)) % 4)}`;
        if (standard !== encoded) {
          expect(isCanonicalBase64url(standard)).toBe(false);
          expect(new Uint8Array(Buffer.from(standard, "base64url"))).toEqual(new Uint8Array(bytes));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a length of 4n+1 characters, which no byte string encodes to (RFC 4648 §4)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.constantFrom(...ALPHABET), (bytes, extra) => {
        const encoded = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 3))).toString("base64url");
        expect(encoded.length % 4).toBe(0);
        expect(isCanonicalBase64url(`${encoded}${extra}`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses non-zero unused bits in the last character, which a lenient decoder silently reads as the same bytes (RFC 4648 §3.5)", () => {
    const notWholeGroups = fc.uint8Array({ minLength: 1, maxLength: 60 }).filter((bytes) => bytes.length % 3 !== 0);
    fc.assert(
      fc.property(notWholeGroups, fc.integer({ min: 1, max: 15 }), (bytes, noise) => {
        const encoded = Buffer.from(bytes).toString("base64url");
        // One byte left over leaves 4 unused bits in the last character, two leave 2.
        const unused = bytes.length % 3 === 1 ? 4 : 2;
        const bits = noise % (1 << unused) || 1;
        const last = ALPHABET.indexOf(encoded.charAt(encoded.length - 1));
        expect(last & ((1 << unused) - 1)).toBe(0);
        const spoiled = `${encoded.slice(0, -1)}${ALPHABET.charAt(last | bits)}`;
        expect(isCanonicalBase64url(spoiled)).toBe(false);
        expect(referenceDecode(spoiled)).toBeUndefined();
        // Why it matters: Buffer decodes both spellings to the same bytes, so
        // accepting both would give one signed token many distinct strings.
        expect(new Uint8Array(Buffer.from(spoiled, "base64url"))).toEqual(new Uint8Array(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("decodes and encodes the same way without Buffer (the atob/btoa path of Workers and browsers)", async () => {
    vi.resetModules();
    vi.doMock("../../src/util/platform.js", () => ({ nodeBuffer: undefined, nodeCrypto: undefined }));
    const atob = vi.spyOn(globalThis, "atob");
    const btoa = vi.spyOn(globalThis, "btoa");
    try {
      const portable = await import("../../src/jws/base64url.js");
      fc.assert(
        fc.property(bytesArb, (bytes) => {
          const encoded = referenceEncode(bytes);
          expect(portable.encodeBase64url(bytes)).toBe(encoded);
          expect(portable.isCanonicalBase64url(encoded)).toBe(true);
          const decoded = portable.decodeBase64url(encoded);
          expect(decoded).toBeInstanceOf(Uint8Array);
          expect(new Uint8Array(decoded)).toEqual(new Uint8Array(bytes));
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(arbitraryText, (text) => {
          expect(portable.isCanonicalBase64url(text)).toBe(isCanonicalBase64url(text));
          if (isCanonicalBase64url(text)) expect(new Uint8Array(portable.decodeBase64url(text))).toEqual(new Uint8Array(decodeBase64url(text)));
        }),
        { numRuns: 300 },
      );
      // The portable path really ran.
      expect(atob).toHaveBeenCalled();
      expect(btoa).toHaveBeenCalled();
    } finally {
      atob.mockRestore();
      btoa.mockRestore();
      vi.doUnmock("../../src/util/platform.js");
      vi.resetModules();
    }
  });
});
