import { createPublicKey, sign as nodeSign, randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type JwkSet } from "../../src/index.js";
import { BACKENDS, expectRefused, NOW, type RawKey, rawKey, segment, signRaw, signSegments, verifierConfigError } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Algorithm rules: RFC 8725 §2.1 and §3.1 (no "none", no algorithm
// confusion, an explicit allow-list), RFC 7518 §3 (what each alg demands of
// its key and signature).

let es256: TestKey;
let rs256: TestKey;
let rsa: RawKey;
let p256: RawKey;
let p384: RawKey;
let p521: RawKey;
let ed25519: RawKey;
let weakRsa: RawKey;

const claims = () => accessClaims({}, NOW);

beforeAll(async () => {
  es256 = await generateKey("ES256", "es256");
  rs256 = await generateKey("RS256", "rs256");
  rsa = rawKey("rsa", "rsa");
  p256 = rawKey("ec", "p256", { namedCurve: "P-256" });
  p384 = rawKey("ec", "p384", { namedCurve: "P-384" });
  p521 = rawKey("ec", "p521", { namedCurve: "P-521" });
  ed25519 = rawKey("ed25519", "ed25519");
  weakRsa = rawKey("rsa", "weak", { modulusLength: 1024 });
});

for (const crypto of BACKENDS) {
  describe(`algorithms (${crypto})`, () => {
    function verifierFor(policy: Partial<IssuerPolicy> = {}) {
      return createVerifier({ crypto, now: () => NOW, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(es256, rs256), ...policy }] });
    }

    it("accepts every algorithm of the default allow-list with a suitable key", async () => {
      const jwks = { keys: [rsa.jwk, p256.jwk, p384.jwk, p521.jwk, ed25519.jwk] } as JwkSet;
      const verifier = verifierFor({ jwks });
      const cases: [string, RawKey][] = [
        ["RS256", rsa],
        ["RS384", rsa],
        ["RS512", rsa],
        ["PS256", rsa],
        ["PS384", rsa],
        ["PS512", rsa],
        ["ES256", p256],
        ["ES384", p384],
        ["ES512", p521],
        ["EdDSA", ed25519],
        ["Ed25519", ed25519],
      ];
      for (const [alg, key] of cases) {
        const verified = await verifier.verify(signRaw(key.privateKey, { alg, kid: key.kid, typ: "at+jwt" }, claims()));
        expect(verified.header.alg).toBe(alg);
      }
    });

    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      it(`refuses alg ${JSON.stringify(alg)} with an empty signature (RFC 8725 §3.1)`, async () => {
        const token = `${segment({ alg, typ: "at+jwt" })}.${segment(claims())}.`;
        await expectRefused(verifierFor().verify(token), "algorithm_not_allowed", ['"none"', "unsigned", "RFC 8725 §3.1"]);
      });

      it(`refuses alg ${JSON.stringify(alg)} even with a valid-looking signature and a known kid`, async () => {
        const real = await signToken(es256, claims());
        const [, payload, signature] = real.split(".");
        const token = `${segment({ alg, kid: es256.kid, typ: "at+jwt" })}.${payload}.${signature}`;
        await expectRefused(verifierFor().verify(token), "algorithm_not_allowed", ['"none"'], token);
      });
    }

    for (const alg of ["RS1", "HS1", "ES256K", "rs256", "RS256 ", "EdDSA25519", "RSA-OAEP", "dir"]) {
      it(`refuses the unknown algorithm ${JSON.stringify(alg)}`, async () => {
        const real = await signToken(es256, claims());
        const [, payload, signature] = real.split(".");
        const token = `${segment({ alg, kid: es256.kid })}.${payload}.${signature}`;
        await expectRefused(verifierFor().verify(token), "algorithm_not_allowed", [JSON.stringify(alg), "not an algorithm tokenward verifies"]);
      });
    }

    it("refuses an algorithm outside the issuer's allow-list, though the key and signature are good", async () => {
      const verifier = verifierFor({ algorithms: ["ES256"] });
      await expect(verifier.verify(await signToken(es256, claims()))).resolves.toBeDefined();
      const token = await signToken(rs256, claims());
      await expectRefused(verifier.verify(token), "algorithm_not_allowed", ["alg RS256 is not allowed", '"ES256"'], token);
    });

    it("takes the verifier-wide algorithms option as the default allow-list", async () => {
      const verifier = createVerifier({
        crypto,
        now: () => NOW,
        algorithms: ["RS256"],
        issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(es256, rs256) }],
      });
      await expect(verifier.verify(await signToken(rs256, claims()))).resolves.toBeDefined();
      await expectRefused(verifier.verify(await signToken(es256, claims())), "algorithm_not_allowed", ['allowed: "RS256"']);
    });

    it("refuses an HS256 token MACed with the issuer's RSA public key (algorithm confusion, RFC 8725 §2.1)", async () => {
      const verifier = verifierFor();
      const publicKey = createPublicKey(rsa.privateKey);
      const secrets = [
        publicKey.export({ format: "pem", type: "spki" }) as string,
        publicKey.export({ format: "pem", type: "pkcs1" }) as string,
        publicKey.export({ format: "der", type: "spki" }) as Uint8Array,
        JSON.stringify(rsa.jwk),
        Buffer.from(rsa.jwk.n as string, "base64url"),
      ];
      const withRsa = verifierFor({ jwks: { keys: [rsa.jwk] } as JwkSet });
      for (const secret of secrets) {
        const token = signRaw(secret, { alg: "HS256", kid: rsa.kid, typ: "at+jwt" }, claims());
        await expectRefused(withRsa.verify(token), "algorithm_not_allowed", ["alg HS256 is not allowed", "algorithm-confusion", "RFC 8725 §2.1"], token);
      }
      const token = signRaw(rs256.jwk.n as string, { alg: "HS256", kid: rs256.kid }, claims());
      await expectRefused(verifier.verify(token), "algorithm_not_allowed", ["algorithm-confusion"]);
    });

    it("refuses HS384 and HS512 tokens at an issuer with public keys", async () => {
      for (const alg of ["HS384", "HS512"]) {
        const token = signRaw(randomBytes(64), { alg, kid: es256.kid }, claims());
        await expectRefused(verifierFor().verify(token), "algorithm_not_allowed", [`alg ${alg} is not allowed`, "RFC 8725 §2.1"]);
      }
    });

    describe("an HMAC issuer (secret)", () => {
      const secret = randomBytes(32);

      it("accepts a valid HS256 token signed by jose", async () => {
        const verifier = verifierFor({ jwks: undefined, secret });
        const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "at+jwt" }).sign(secret);
        const verified = await verifier.verify(token);
        expect(verified.header.alg).toBe("HS256");
      });

      it("accepts a string secret of 32 bytes or more", async () => {
        const text = "a shared secret of at least thirty-two bytes";
        const verifier = verifierFor({ jwks: undefined, secret: text });
        const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(text));
        await expect(verifier.verify(token)).resolves.toBeDefined();
      });

      it("refuses an HS256 token MACed with another secret (signature_invalid)", async () => {
        const verifier = verifierFor({ jwks: undefined, secret });
        const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(randomBytes(32));
        await expectRefused(verifier.verify(token), "signature_invalid", ["HS256 signature does not verify", "the configured HMAC secret"], token);
      });

      it("refuses an asymmetric token at an HMAC issuer", async () => {
        const verifier = verifierFor({ jwks: undefined, secret });
        await expectRefused(verifier.verify(await signToken(es256, claims())), "algorithm_not_allowed", ["alg ES256 is not allowed", '"HS256"']);
      });

      it("refuses HS512 with a 32-byte secret: the key must be as long as the hash (RFC 7518 §3.2)", async () => {
        const verifier = verifierFor({ jwks: undefined, secret });
        const token = signRaw(secret, { alg: "HS512" }, claims());
        await expectRefused(verifier.verify(token), "key_not_found", ["32 bytes", "64 bytes", "HS512", "RFC 7518 §3.2"], token);
      });

      it("accepts HS384 and HS512 with secrets of 48 and 64 bytes", async () => {
        for (const [alg, size] of [
          ["HS384", 48],
          ["HS512", 64],
        ] as const) {
          const long = randomBytes(size);
          const verifier = verifierFor({ jwks: undefined, secret: long });
          await expect(verifier.verify(await new SignJWT(claims()).setProtectedHeader({ alg }).sign(long))).resolves.toBeDefined();
        }
      });

      it("selects among several secrets by kid, and names the kids it holds when the kid is unknown", async () => {
        const first = randomBytes(32);
        const second = randomBytes(32);
        const verifier = verifierFor({
          jwks: undefined,
          secret: [
            { kid: "one", secret: first },
            { kid: "two", secret: second },
          ],
        });
        await expect(verifier.verify(await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: "two" }).sign(second))).resolves.toBeDefined();
        const wrongKid = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: "one" }).sign(second);
        await expectRefused(verifier.verify(wrongKid), "signature_invalid", ['key "one"']);
        const unknown = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: "three" }).sign(second);
        await expectRefused(verifier.verify(unknown), "key_not_found", ['"three"', '"one", "two"']);
      });
    });

    it("refuses a token whose alg differs from the alg its JWK is published for", async () => {
      const pinned = { ...rs256.jwk, alg: "PS256" };
      const verifier = verifierFor({ jwks: { keys: [pinned] } as JwkSet });
      const token = await signToken(rs256, claims());
      await expectRefused(verifier.verify(token), "key_not_found", [`key "${rs256.kid}" is for alg PS256, not RS256`, `"${rs256.kid}"`], token);
    });

    it("refuses an RS256 token at a key pinned to RS512, though the RSA key itself could verify it", async () => {
      const pinned = { ...rsa.jwk, alg: "RS512" };
      const verifier = verifierFor({ jwks: { keys: [pinned] } as JwkSet });
      await expect(verifier.verify(signRaw(rsa.privateKey, { alg: "RS512", kid: rsa.kid }, claims()))).resolves.toBeDefined();
      await expectRefused(verifier.verify(signRaw(rsa.privateKey, { alg: "RS256", kid: rsa.kid }, claims())), "key_not_found", ["is for alg RS512, not RS256"]);
    });

    it("refuses an ES256 token whose kid names a P-384 key (RFC 7518 §3.4)", async () => {
      const verifier = verifierFor({ jwks: { keys: [p384.jwk] } as JwkSet });
      const token = signRaw(p384.privateKey, { alg: "ES256", kid: p384.kid }, claims());
      await expectRefused(verifier.verify(token), "key_not_found", ['key "p384" is on P-384, but ES256 needs P-256'], token);
    });

    it("refuses an RS256 token whose kid names an EC key", async () => {
      const verifier = verifierFor({ jwks: { keys: [{ ...p256.jwk, kid: "shared" }] } as JwkSet });
      const token = signRaw(rsa.privateKey, { alg: "RS256", kid: "shared" }, claims());
      await expectRefused(verifier.verify(token), "key_not_found", ["kty EC, but RS256 needs RSA"]);
    });

    it("refuses a static JWKS whose only RSA key is under 2048 bits (ConfigError, RFC 7518 §3.3)", () => {
      const error = verifierConfigError({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [weakRsa.jwk] } as JwkSet }] });
      expect(error.field).toBe("issuers[0].jwks");
      expect(error.message).toContain("no usable key");
      expect(error.message).toContain("1024 bits");
      expect(error.message).toContain("2048");
    });

    it("ignores an RSA key under 2048 bits in a mixed JWKS and says so when a token names it", async () => {
      const verifier = verifierFor({ jwks: { keys: [weakRsa.jwk, rsa.jwk] } as JwkSet });
      const token = signRaw(weakRsa.privateKey, { alg: "RS256", kid: weakRsa.kid }, claims());
      await expectRefused(verifier.verify(token), "key_not_found", ['no key has kid "weak"', "Ignored keys", "1024 bits"], token);
    });

    it("refuses an ES256 signature in DER form instead of R || S (RFC 7518 §3.4)", async () => {
      const verifier = verifierFor({ jwks: { keys: [p256.jwk] } as JwkSet });
      const header = segment({ alg: "ES256", kid: p256.kid });
      const payload = segment(claims());
      const der = nodeSign("sha256", Buffer.from(`${header}.${payload}`), { key: p256.privateKey, dsaEncoding: "der" });
      const token = `${header}.${payload}.${der.toString("base64url")}`;
      await expectRefused(verifier.verify(token), "signature_invalid", ["ES256 signature does not verify", '"p256"'], token);
    });

    it("refuses an RSA signature one byte shorter than the modulus (RFC 8017 §8.2.2)", async () => {
      const verifier = verifierFor({ jwks: { keys: [rsa.jwk] } as JwkSet });
      const token = signRaw(rsa.privateKey, { alg: "RS256", kid: rsa.kid }, claims());
      const signature = Buffer.from(token.slice(token.lastIndexOf(".") + 1), "base64url");
      const short = `${token.slice(0, token.lastIndexOf(".") + 1)}${signature.subarray(1).toString("base64url")}`;
      await expectRefused(verifier.verify(short), "signature_invalid", ["RS256"]);
    });

    it("refuses an empty signature on an otherwise valid ES256 token", async () => {
      const token = await signToken(es256, claims());
      await expectRefused(verifierFor().verify(`${token.slice(0, token.lastIndexOf("."))}.`), "signature_invalid", ["ES256"]);
    });

    it("refuses a PS256 signature presented as RS256 (same key, other padding)", async () => {
      const verifier = verifierFor({ jwks: { keys: [rsa.jwk] } as JwkSet });
      const pss = signSegments(rsa.privateKey, "PS256", segment({ alg: "RS256", kid: rsa.kid }), segment(claims()));
      await expectRefused(verifier.verify(pss), "signature_invalid", ["RS256 signature does not verify"]);
    });
  });
}

describe("algorithms: configuration (ConfigError)", () => {
  const base = { issuer: ISSUER, audience: AUDIENCE } as const;

  for (const none of ["none", "None", "NONE"]) {
    it(`refuses ${JSON.stringify(none)} in an issuer's algorithms (RFC 8725 §3.1)`, () => {
      const error = verifierConfigError({ issuers: [{ ...base, jwks: jwksOf(es256), algorithms: [none as "RS256"] }] });
      expect(error.field).toBe("issuers[0].algorithms");
      expect(error.message).toContain("never allowed");
    });
  }

  it("refuses none in the verifier-wide algorithms", () => {
    const error = verifierConfigError({ algorithms: ["none" as "RS256"], issuers: [{ ...base, jwks: jwksOf(es256) }] });
    expect(error.field).toBe("algorithms");
  });

  it("refuses HMAC algorithms for an issuer without a secret", () => {
    const error = verifierConfigError({ issuers: [{ ...base, jwks: jwksOf(es256), algorithms: ["RS256", "HS256"] }] });
    expect(error.field).toBe("issuers[0].algorithms");
    expect(error.message).toContain("HS256 is HMAC");
    expect(error.message).toContain("shared secret");
  });

  it("refuses asymmetric algorithms for an issuer with a secret", () => {
    const error = verifierConfigError({ issuers: [{ ...base, secret: randomBytes(32), algorithms: ["HS256", "RS256"] }] });
    expect(error.field).toBe("issuers[0].algorithms");
    expect(error.message).toContain("RS256 is asymmetric");
  });

  it("refuses an unknown algorithm name and an empty list", () => {
    const unknown = verifierConfigError({ issuers: [{ ...base, jwks: jwksOf(es256), algorithms: ["RS257" as "RS256"] }] });
    expect(unknown.message).toContain('unknown algorithm "RS257"');
    const empty = verifierConfigError({ issuers: [{ ...base, jwks: jwksOf(es256), algorithms: [] }] });
    expect(empty.message).toContain("at least one algorithm");
  });

  it("refuses an HMAC secret shorter than 32 bytes (RFC 7518 §3.2)", () => {
    for (const secret of [randomBytes(31), "too short a secret", new Uint8Array(0)]) {
      const error = verifierConfigError({ issuers: [{ ...base, secret }] });
      expect(error.field).toBe("issuers[0].secret");
      expect(error.message).toContain("RFC 7518 §3.2");
    }
  });

  it("refuses HS512 listed explicitly with a 32-byte secret (RFC 7518 §3.2)", () => {
    const error = verifierConfigError({ issuers: [{ ...base, secret: randomBytes(32), algorithms: ["HS512"] }] });
    expect(error.field).toBe("issuers[0].secret");
    expect(error.message).toContain("HS512 needs secrets of at least 64 bytes");
  });

  it("refuses a secret and a JWKS on one issuer (mixing invites algorithm confusion)", () => {
    const error = verifierConfigError({ issuers: [{ ...base, secret: randomBytes(32), jwks: jwksOf(es256) }] });
    expect(error.message).toContain("one key source per issuer");
    expect(error.message).toContain("RFC 8725 §2.1");
  });

  it("refuses a JWKS made only of symmetric keys: oct keys never come from a JWKS", () => {
    const error = verifierConfigError({ issuers: [{ ...base, jwks: { keys: [{ kty: "oct", k: randomBytes(32).toString("base64url"), kid: "k" }] } }] });
    expect(error.field).toBe("issuers[0].jwks");
    expect(error.message).toContain("symmetric (oct) keys are never taken from a JWKS");
  });
});
