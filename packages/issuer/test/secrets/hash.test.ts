import * as crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { hashSecret, verifySecret } from "../../src/secrets/hash.js";
import { parseSecretHash, SecretHashError } from "../../src/secrets/secret-hash-format.js";

vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const FORM = /^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

/** An encoded hash computed here with node:crypto directly, independent of hashSecret. */
function referenceHash(secret: string, log2N = 14): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(secret, salt, 32, { N: 2 ** log2N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${log2N}$8$1$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

describe("hashSecret / verifySecret", () => {
  it("hashes to scrypt$15$8$1$<16-byte salt>$<32-byte hash>, with a fresh salt each time", async () => {
    const [a, b] = await Promise.all([hashSecret("demo-secret"), hashSecret("demo-secret")]);
    expect(a).toMatch(FORM);
    expect(b).toMatch(FORM);
    expect(a).not.toBe(b);
    const parsed = parseSecretHash(a);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(32);
  });

  it("verifies the right secret and refuses others", async () => {
    const encoded = await hashSecret("correct horse battery staple");
    expect(await verifySecret("correct horse battery staple", encoded)).toBe(true);
    expect(await verifySecret("correct horse battery stapl", encoded)).toBe(false);
    expect(await verifySecret("Correct horse battery staple", encoded)).toBe(false);
    expect(await verifySecret("", encoded)).toBe(false);
  });

  it("verifies a hash made independently with node:crypto scrypt, and the reverse", async () => {
    expect(await verifySecret("s3cret", referenceHash("s3cret"))).toBe(true);
    const encoded = await hashSecret("s3cret");
    const { salt, hash } = parseSecretHash(encoded);
    expect(crypto.scryptSync("s3cret", salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).equals(hash)).toBe(true);
  });

  it("treats canonically equivalent Unicode spellings as one secret (NFC)", async () => {
    const encoded = await hashSecret("caf\u00e9");
    expect(await verifySecret("cafe\u0301", encoded)).toBe(true);
  });

  it("compares with crypto.timingSafeEqual", async () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    await verifySecret("x", referenceHash("y"));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("refuses an empty secret to hash", async () => {
    await expect(hashSecret("")).rejects.toThrow(TypeError);
  });
});

const salt = crypto.randomBytes(16).toString("base64url");
const key = crypto.randomBytes(32).toString("base64url");

const MALFORMED: [string, unknown, RegExp][] = [
  ["a plain secret", "demo-secret", /not a plain secret/],
  ["not a string", 42, /got number/],
  ["null", null, /got null/],
  ["too few parts", `scrypt$15$8$1$${salt}`, /has 5 \$-separated parts/],
  ["too many parts", `scrypt$15$8$1$${salt}$${key}$x`, /has 7 \$-separated parts/],
  ["N above 2^20", `scrypt$21$8$1$${salt}$${key}`, /log2 N = 21; it must be between 14 and 20/],
  ["N of 2^40", `scrypt$40$8$1$${salt}$${key}`, /log2 N = 40/],
  ["N below 2^14", `scrypt$10$8$1$${salt}$${key}`, /log2 N = 10/],
  ["r of 0", `scrypt$15$0$1$${salt}$${key}`, /not a whole number|r = 0/],
  ["p of 17", `scrypt$15$8$17$${salt}$${key}`, /p = 17/],
  ["memory over 1 GiB", `scrypt$20$16$1$${salt}$${key}`, /more than 1 GiB/],
  ["a leading zero", `scrypt$015$8$1$${salt}$${key}`, /not a whole number/],
  ["a negative number", `scrypt$-15$8$1$${salt}$${key}`, /not a whole number/],
  ["a short salt", `scrypt$15$8$1$${crypto.randomBytes(8).toString("base64url")}$${key}`, /salt of 8 bytes/],
  ["a long hash", `scrypt$15$8$1$${salt}$${crypto.randomBytes(65).toString("base64url")}`, /hash of 65 bytes/],
  ["standard base64", `scrypt$15$8$1$${salt}$${"+/".repeat(22)}`, /hash that is not base64url/],
  ["padding", `scrypt$15$8$1$${salt}$${key}=`, /hash that is not base64url/],
  ["non-canonical base64url", `scrypt$15$8$1$${salt.slice(0, -1)}B$${key}`, /salt that is not canonical base64url/],
  ["absurdly long", `scrypt$15$8$1$${salt}$${"A".repeat(300)}`, /characters long/],
  ["another algorithm", `pbkdf2$15$8$1$${salt}$${key}`, /not a plain secret/],
];

describe("malformed encodings", () => {
  it.each(MALFORMED)("refuses %s", async (_name, encoded, message) => {
    expect(() => parseSecretHash(encoded)).toThrow(SecretHashError);
    expect(() => parseSecretHash(encoded)).toThrow(message);
    await expect(verifySecret("anything", encoded as string)).rejects.toThrow(SecretHashError);
  });

  it("never puts the value in the message", () => {
    try {
      parseSecretHash("my-plain-client-secret");
    } catch (error) {
      expect((error as Error).message).not.toContain("my-plain-client-secret");
    }
  });

  it("refuses absurd parameters without running scrypt", async () => {
    const started = performance.now();
    await expect(verifySecret("x", `scrypt$20$16$16$${salt}$${key}`)).rejects.toThrow(/1 GiB/);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
