// Store keys built from hostile input: bounded, separator-free, and distinct
// for distinct inputs (a collision would be a false replay, or a shared rate limit).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyPart } from "../../src/store/key-part.js";

describe("keyPart", () => {
  it("keeps short plain values readable", () => {
    for (const value of ["demo-service", "client_assertion", "0b5f4c2e-6a0e-4bd6-9a55-2b6f2f0c9d1e", "a.b~c@d+e=f"]) expect(keyPart(value)).toBe(value);
  });

  it("digests everything else to 45 characters: long, empty, unicode, separators, the digest mark", () => {
    for (const value of ["x".repeat(65), "x".repeat(10 * 1024), "", "ключ", "a:b", "#abc", "a b", "\uD800", "\n"]) {
      expect(keyPart(value)).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    }
  });

  it("property: never contains ':', at most 64 characters, and distinct inputs stay distinct", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.string({ unit: "grapheme-ascii", maxLength: 70 }),
      fc.constantFrom("\uD800", "\uFFFD"),
    );
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        for (const part of [keyPart(a), keyPart(b)]) {
          expect(part).not.toContain(":");
          expect(part.length).toBeLessThanOrEqual(64);
        }
        expect(keyPart(a) === keyPart(b)).toBe(a === b);
      }),
      { numRuns: 2_000 },
    );
  });
});
