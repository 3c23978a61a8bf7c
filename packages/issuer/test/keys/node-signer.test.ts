// The node:crypto signing fast path against jose, the reference: for the
// deterministic algorithms (RS256, EdDSA) the JWS is byte-identical to
// jose's CompactSign; for ES256 (randomized) jose verifies every output.
import fc from "fast-check";
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { compactJws, nodeSigner } from "../../src/keys/node-signer.js";

const payloads = fc.dictionary(
  fc.string({ maxLength: 12 }),
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 })),
  { maxKeys: 8 },
);

describe.each(["RS256", "ES256", "EdDSA"] as const)("%s", (alg) => {
  it("produces what jose verifies, and for deterministic algorithms exactly what jose produces", async () => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const signBytes = nodeSigner(jwk as Record<string, unknown>, alg);
    const header = { alg, kid: "k1", typ: "at+jwt" };
    const encodedHeader = Buffer.from(JSON.stringify(header)).toString("base64url");
    const joseKey = await importJWK(jwk, alg);
    await fc.assert(
      fc.asyncProperty(payloads, async (payload) => {
        const ours = compactJws(encodedHeader, payload, signBytes);
        const verified = await compactVerify(ours, publicKey, { algorithms: [alg] });
        expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(JSON.parse(JSON.stringify(payload)));
        expect(verified.protectedHeader).toEqual(header);
        if (alg !== "ES256") {
          const theirs = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(joseKey);
          expect(ours).toBe(theirs);
        }
      }),
      { numRuns: alg === "RS256" ? 40 : 150 },
    );
  });
});
