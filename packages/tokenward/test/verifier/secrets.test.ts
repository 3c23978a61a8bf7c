import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createVerifier } from "../../src/index.js";
import { BACKENDS, expectRefused, NOW, segment } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, ISSUER } from "../helpers/keys.js";

// HMAC issuers: a configured secret is not a published JWKS. A single secret
// has no kid, so a token's kid cannot name another key and is not required to
// match; several secrets are told apart by kid, exactly.

function hs256(secret: Uint8Array | string, header: Record<string, unknown>): string {
  const input = `${segment({ alg: "HS256", ...header })}.${segment(accessClaims({}, NOW))}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

for (const crypto of BACKENDS) {
  describe(`HMAC secrets (${crypto})`, () => {
    const secret = randomBytes(32);
    const single = createVerifier({ crypto, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret }] });

    it("a single secret verifies tokens with or without a kid", async () => {
      await expect(single.verify(hs256(secret, {}))).resolves.toBeDefined();
      await expect(single.verify(hs256(secret, { kid: "whatever-the-issuer-calls-it" }))).resolves.toBeDefined();
    });

    it("a single secret still refuses a token signed with another secret", async () => {
      await expectRefused(single.verify(hs256(randomBytes(32), { kid: "x" })), "signature_invalid");
    });

    it("several secrets are chosen by kid, exactly", async () => {
      const a = randomBytes(32);
      const b = randomBytes(32);
      const verifier = createVerifier({
        crypto,
        now: () => NOW,
        issuers: [
          {
            issuer: ISSUER,
            audience: AUDIENCE,
            secret: [
              { kid: "a", secret: a },
              { kid: "b", secret: b },
            ],
          },
        ],
      });
      await expect(verifier.verify(hs256(b, { kid: "b" }))).resolves.toBeDefined();
      await expectRefused(verifier.verify(hs256(b, { kid: "a" })), "signature_invalid");
      await expectRefused(verifier.verify(hs256(a, { kid: "c" })), "key_not_found", ['no key has kid "c"']);
    });
  });
}

describe("hints quote what a token chose", () => {
  it("an unknown kid with line breaks and a great length is quoted and cut short in the hint", async () => {
    const secret = randomBytes(32);
    const verifier = createVerifier({ now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret: [{ kid: "a", secret }] }] });
    const kid = `evil\nINFO forged log line ${"x".repeat(3000)}`;
    const error = await expectRefused(verifier.verify(hs256(secret, { kid })), "key_not_found");
    expect(error.hint).not.toContain("\n");
    expect(error.hint.length).toBeLessThan(1000);
  });
});
