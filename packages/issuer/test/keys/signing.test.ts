// Signing with the key manager and what it publishes: every algorithm's
// tokens verify with jose against jwks(), and jwks() never carries a private
// member, whatever the algorithm and the rotations.
import { join } from "node:path";
import fc from "fast-check";
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import type { SigningAlgorithm } from "../../src/config/types.js";
import { manager, PRIVATE_MEMBERS, tempDir } from "./fixtures.js";

const ALGS: SigningAlgorithm[] = ["RS256", "ES256", "EdDSA"];
const PUBLIC_MEMBERS: Record<SigningAlgorithm, string[]> = {
  RS256: ["alg", "e", "kid", "kty", "n", "use"],
  ES256: ["alg", "crv", "kid", "kty", "use", "x", "y"],
  EdDSA: ["alg", "crv", "kid", "kty", "use", "x"],
};

describe.each(ALGS)("%s", (alg) => {
  it("signs tokens that jose verifies against jwks(), with alg and kid in the header", async () => {
    const keys = await manager(join(await tempDir(), "keys"), { algorithm: alg });
    expect(keys.algorithm).toBe(alg);
    const now = Math.floor(Date.now() / 1000);
    const token = await keys.sign({ typ: "at+jwt" }, { iss: "https://issuer.test", aud: "https://api.test", sub: "svc", iat: now, exp: now + 60 });
    const [jwk] = keys.jwks().keys;
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg, kid: jwk?.kid, typ: "at+jwt" });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.jwks() as Parameters<typeof createLocalJWKSet>[0]), {
      issuer: "https://issuer.test",
      audience: "https://api.test",
      algorithms: [alg],
      typ: "at+jwt",
    });
    expect(payload.sub).toBe("svc");
    expect(protectedHeader.kid).toBe(jwk?.kid);
    // And with the single key, by kid, as introspection would.
    const publicKey = keys.publicKey(String(header.kid));
    if (publicKey === undefined) throw new Error("no public key for the kid");
    await compactVerify(token, await importJWK(publicKey, alg));
  });

  it("publishes exactly the public members, use sig, alg, and the RFC 7638 thumbprint as kid", async () => {
    const keys = await manager(join(await tempDir(), "keys"), { algorithm: alg });
    const [jwk] = keys.jwks().keys;
    if (jwk === undefined) throw new Error("no key published");
    expect(Object.keys(jwk).sort()).toEqual(PUBLIC_MEMBERS[alg]);
    expect(jwk.use).toBe("sig");
    expect(jwk.alg).toBe(alg);
    expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256"));
    const imported = await importJWK(jwk, alg);
    expect((imported as CryptoKey).type).toBe("public");
  });
});

describe("sign()", () => {
  it("does not let the caller choose alg or kid", async () => {
    const keys = await manager(join(await tempDir(), "keys"), { algorithm: "EdDSA" });
    const token = await keys.sign({ alg: "none", kid: "attacker", typ: "JWT" }, { sub: "x" });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toBe(keys.jwks().keys[0]?.kid);
    expect(header.typ).toBe("JWT");
  });

  it("signs many tokens concurrently, each verifiable", async () => {
    const keys = await manager(join(await tempDir(), "keys"), { algorithm: "ES256" });
    const jwks = createLocalJWKSet(keys.jwks() as Parameters<typeof createLocalJWKSet>[0]);
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => keys.sign({ typ: "at+jwt" }, { jti: String(i) })));
    expect(new Set(tokens).size).toBe(200);
    const verified = await Promise.all(tokens.map((token) => compactVerify(token, jwks)));
    expect(verified.map(({ payload }) => JSON.parse(new TextDecoder().decode(payload)).jti)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });
});

describe("jwks()", () => {
  it("is the same frozen object until the published set changes", async () => {
    const keys = await manager(join(await tempDir(), "keys"));
    const first = keys.jwks();
    expect(keys.jwks()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.keys)).toBe(true);
    expect(Object.isFrozen(first.keys[0])).toBe(true);
    await keys.rotate();
    const second = keys.jwks();
    expect(second).not.toBe(first);
    expect(second.keys).toHaveLength(2);
    expect(keys.jwks()).toBe(second);
  });

  it("never holds a private member, for any algorithm and any sequence of rotations (property)", async () => {
    const root = await tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALGS),
        fc.array(fc.record({ alg: fc.constantFrom<SigningAlgorithm>("ES256", "EdDSA"), immediate: fc.boolean(), revokePrevious: fc.boolean() }), {
          maxLength: 4,
        }),
        async (first, rotations) => {
          const keys = await manager(join(root, String(run++)), { algorithm: first });
          for (const rotation of rotations) {
            const next = await manager(keys.directory, { algorithm: rotation.alg });
            await next.rotate({ immediate: rotation.immediate, revokePrevious: rotation.revokePrevious });
          }
          await keys.refresh();
          const published = keys.jwks().keys;
          expect(published.length).toBeGreaterThan(0);
          for (const jwk of published) {
            for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
            expect(Object.keys(jwk).sort()).toEqual(PUBLIC_MEMBERS[jwk.alg as SigningAlgorithm]);
          }
          expect(JSON.stringify(keys.jwks())).not.toMatch(/"(d|p|q|dp|dq|qi|oth|k)":/);
        },
      ),
      { numRuns: 25 },
    );
  });
});
