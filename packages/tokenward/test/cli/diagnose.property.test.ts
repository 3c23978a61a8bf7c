import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clockSkew } from "../../src/cli/diagnose/clock-skew.js";
import { inspectJwks, keyLine } from "../../src/cli/diagnose/inspect-jwks.js";
import { explainIssuerMismatch } from "../../src/cli/diagnose/issuer-mismatch.js";
import { renderChecks } from "../../src/cli/diagnose/render-checks.js";
import { tokenChecks } from "../../src/cli/diagnose/token-checks.js";
import { show } from "../../src/errors/hints.js";
import { jsonText } from "../helpers/jws-arbitraries.js";

// The parsers of a diagnosis read what servers and tokens send: Date
// headers, metadata issuers, JWK Sets, tokens. Whatever they get, they must
// answer (never throw), and what they print must stay printable.

/** A control character other than tab and line feed: what could drive a terminal (an escape sequence). */
function hasControl(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}
const NOW = 1_750_000_000;

const context = {
  issuer: "https://issuer.example.com",
  audiences: ["https://api.example.com"],
  clockTolerance: 5,
  types: ["JWT", "at+jwt"],
  keys: undefined,
  clockSkew: undefined,
  now: NOW,
};

describe("clockSkew (RFC 9110 §5.6.7 Date, RFC 9111 §5.1 Age)", () => {
  it("recovers any whole-second skew within one second, whatever the latency and the moment within the second", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 3600 }),
        (skew, millis, latency, age) => {
          const sentByServerClock = NOW * 1000 + millis;
          // A cache held the answer `age` seconds: it reaches us that much later.
          const receivedAt = sentByServerClock - skew * 1000 + latency + age * 1000;
          const measured = clockSkew({ url: "https://x", status: 200, date: new Date(sentByServerClock).toUTCString(), ageSeconds: age, receivedAt });
          expect(measured).toBeDefined();
          expect(Math.abs((measured as number) - skew)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("answers undefined or a whole number for any Date header text, never throws", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 60 }), { nil: undefined }), (date) => {
        const measured = clockSkew({ url: "https://x", status: 200, date, ageSeconds: 0, receivedAt: NOW * 1000 });
        if (measured !== undefined) expect(Number.isInteger(measured)).toBe(true);
      }),
    );
  });
});

describe("explainIssuerMismatch", () => {
  const issuerUrl = fc.webUrl({ withQueryParameters: false, withFragments: false }).filter((url) => !url.endsWith("/"));

  it("names the usual slips (a trailing slash, the scheme, letter case) and always says to configure the exact string", () => {
    const slip = fc.constantFrom(
      (url: string) => [`${url}/`, "trailing slash"],
      (url: string) => [url.replace(/^https?:/, (scheme) => (scheme === "https:" ? "http:" : "https:")), "scheme"],
      (url: string) => [url.toUpperCase(), "letter case"],
    );
    fc.assert(
      fc.property(issuerUrl, slip, (configured, apply) => {
        const [named, kind] = apply(configured) as [string, string];
        fc.pre(named !== configured);
        const explained = explainIssuerMismatch(named, configured, "the metadata at X", "metadata");
        expect(explained.why).toContain(kind);
        expect(explained.fix).toContain(`configure the issuer as ${show(named)}`);
      }),
    );
  });

  it("answers for any two strings and any value in place of the named issuer, and never prints a control character", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue()), fc.string(), fc.constantFrom("metadata" as const, "token" as const), (named, configured, kind) => {
        fc.pre(named !== configured);
        const explained = explainIssuerMismatch(named, configured, "the token", kind);
        expect(explained.why.length).toBeGreaterThan(0);
        expect(explained.fix.length).toBeGreaterThan(0);
        if (typeof named === "string") expect(hasControl(show(named))).toBe(false);
      }),
    );
  });
});

describe("inspectJwks", () => {
  const member = fc.record(
    {
      kty: fc.oneof(fc.constantFrom("RSA", "EC", "OKP", "oct"), fc.string()),
      kid: fc.oneof(fc.string(), fc.integer()),
      use: fc.constantFrom("sig", "enc", "other"),
      alg: fc.string({ maxLength: 10 }),
      crv: fc.constantFrom("P-256", "Ed25519", "secp256k1"),
      n: fc.base64String(),
      e: fc.constantFrom("AQAB", "Aw", ""),
      x: fc.base64String(),
      d: fc.string(),
    },
    { requiredKeys: [] },
  );

  it("reads any JSON value without throwing: a format error, or one report per member read", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ keys: fc.array(fc.oneof(member, fc.jsonValue()), { maxLength: 8 }) })), (document) => {
        const report = inspectJwks(document, 5);
        if (report.formatError !== undefined) {
          expect(report.keys).toEqual([]);
          return;
        }
        const members = (document as { keys: unknown[] }).keys;
        expect(report.keys.length).toBe(Math.min(members.length, 5));
        expect(report.unread).toBe(Math.max(0, members.length - 5));
        for (const key of report.keys) {
          const line = keyLine(key);
          expect(hasControl(line)).toBe(false);
          // A published private member is flagged, and its value is never part of the description.
          if (key.privateMaterial) expect(key.usable).toBe(false);
        }
      }),
    );
  });

  it("finds exactly the kids that two signing keys of one type share (RFC 7517 §4.5)", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.constantFrom("sig", "enc", undefined)), { maxLength: 8 }), (specs) => {
        const keys = specs.map(([kid, use]) => ({ ...jwk, kid, ...(use === undefined ? {} : { use }) }));
        const report = inspectJwks({ keys });
        const expected = ["a", "b", "c"].filter((kid) => specs.filter(([id, use]) => id === kid && use !== "enc").length > 1);
        expect(report.duplicates.map((duplicate) => duplicate.kid).sort()).toEqual(expected);
      }),
    );
  });
});

describe("tokenChecks", () => {
  const segment = jsonText.map((text) => Buffer.from(text).toString("base64url"));
  const token = fc.oneof(
    fc.string(),
    fc.tuple(segment, segment, fc.base64String()).map(([header, payload, signature]) => `${header}.${payload}.${signature}`),
    fc
      .tuple(fc.jsonValue(), fc.jsonValue())
      .map(
        ([header, payload]) =>
          `${Buffer.from(JSON.stringify(header) ?? "null").toString("base64url")}.${Buffer.from(JSON.stringify(payload) ?? "null").toString("base64url")}.sig`,
      ),
  );

  it("judges any string: the same nine checks, each with a summary, a hint when it fails, and printable output", () => {
    fc.assert(
      fc.property(token, (candidate) => {
        const checks = tokenChecks(candidate, context);
        expect(checks.map((check) => check.id)).toEqual([
          "token_decoded",
          "token_issuer",
          "token_audience",
          "token_exp",
          "token_nbf",
          "token_iat",
          "token_kid",
          "token_alg",
          "token_typ",
        ]);
        for (const check of checks) {
          expect(check.summary.length).toBeGreaterThan(0);
          if (check.status === "fail") expect(check.hint?.length ?? 0).toBeGreaterThan(0);
        }
        expect(hasControl(renderChecks(checks, false))).toBe(false);
      }),
    );
  });
});
