import { exportJWK } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier, type JwksOptions } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, refusal } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

function verifierFor(jwks: JwksOptions = {}, crypto: (typeof BACKENDS)[number] = "node") {
  return createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }], jwks });
}

function answer(path: string, status: number, body: string, headers: Record<string, string> = {}): void {
  server.route(path, (_request, response) => {
    response.writeHead(status, headers).end(body);
  });
}

async function refusedWith(jwks: JwksOptions = {}): Promise<Awaited<ReturnType<typeof refusal>>> {
  const key = await generateKey("ES256");
  return refusal(verifierFor(jwks).verify(await signToken(key, accessClaims())));
}

describe("what the JWKS URL answers must be a JWK Set, from that URL", () => {
  it("does not follow a redirect, and the hint says redirects are refused", async () => {
    const key = await generateKey("ES256");
    answer("/jwks", 302, "", { location: "/elsewhere" });
    server.json("/elsewhere", jwksOf(key));
    const error = await refusal(verifierFor().verify(await signToken(key, accessClaims())));
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("answered 302 redirecting to /elsewhere");
    expect(error.hint).toContain("redirects are not followed");
    expect(server.count("/elsewhere")).toBe(0);
  });

  it("refuses an answer that is not JSON, naming its content type", async () => {
    answer("/jwks", 200, "<html><body>Sign in</body></html>", { "content-type": "text/html" });
    const error = await refusedWith();
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("the answer (text/html) is not JSON");
  });

  it("refuses a JSON array", async () => {
    answer("/jwks", 200, "[]", { "content-type": "application/json" });
    const error = await refusedWith();
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("did not answer a JWK Set: the JWKS is not a JSON object (RFC 7517 §5)");
  });

  it('refuses a JSON object without a "keys" array (for example an OpenID configuration at the wrong URL)', async () => {
    server.json("/jwks", { issuer: ISSUER, jwks_uri: `${server.origin}/keys` });
    const error = await refusedWith();
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain('the JWKS has no "keys" array');
    expect(error.hint).toContain(`${server.origin}/jwks`);
  });

  it("refuses a body that is not UTF-8", async () => {
    server.route("/jwks", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    });
    const error = await refusedWith();
    expect(error.code).toBe("jwks_unavailable");
    expect(error.hint).toContain("is not JSON");
  });
});

describe("keys a JWKS publishes but that may not verify signatures are ignored, and the hint says why", () => {
  for (const crypto of BACKENDS) {
    it(`ignores a key published with use "enc" (RFC 7517 §4.2) (${crypto})`, async () => {
      const key = await generateKey("RS256", "enc-key");
      server.json("/jwks", { keys: [{ ...key.jwk, use: "enc" }] });
      const error = await refusal(verifierFor({}, crypto).verify(await signToken(key, accessClaims())));
      expect(error.code).toBe("key_not_found");
      expect(error.hint).toContain('key "enc-key": use is "enc", not "sig"');
    });

    it(`ignores a key whose key_ops lack "verify" (RFC 7517 §4.3) (${crypto})`, async () => {
      const key = await generateKey("ES256", "sign-only");
      const { use: _use, ...withoutUse } = key.jwk;
      server.json("/jwks", { keys: [{ ...withoutUse, key_ops: ["sign"] }] });
      const error = await refusal(verifierFor({}, crypto).verify(await signToken(key, accessClaims())));
      expect(error.code).toBe("key_not_found");
      expect(error.hint).toContain('key "sign-only": key_ops does not include "verify"');
    });

    it(`ignores a published key that carries private material: anyone could sign with it (${crypto})`, async () => {
      const rsa = await generateKey("RS256", "leaked-rsa");
      const ec = await generateKey("ES256", "leaked-ec");
      const leak = async (key: TestKey) => ({ ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg, use: "sig" });
      server.json("/jwks", { keys: [await leak(rsa), await leak(ec)] });
      const verifier = verifierFor({}, crypto);
      for (const key of [rsa, ec]) {
        const error = await refusal(verifier.verify(await signToken(key, accessClaims())));
        expect(error.code).toBe("key_not_found");
        expect(error.hint).toContain(`key "${key.kid}": publishes private key material ("d")`);
      }
      expect(server.count("/jwks")).toBe(1);
    });

    it(`reads no more than maxKeys keys; a token signed by a key past the limit is key_not_found (${crypto})`, async () => {
      const keys = await Promise.all(["k0", "k1", "k2", "k3", "k4"].map((kid) => generateKey("ES256", kid)));
      server.json("/jwks", jwksOf(...keys));
      const verifier = verifierFor({ maxKeys: 3 }, crypto);
      await verifier.verify(await signToken(keys[2] as TestKey, accessClaims()));
      const error = await refusal(verifier.verify(await signToken(keys[4] as TestKey, accessClaims())));
      expect(error.code).toBe("key_not_found");
      expect(error.hint).toContain('holds kids "k0", "k1", "k2"');
      expect(error.hint).toContain("2 keys beyond the limit of 3 were not read");
    });
  }

  it("still verifies with the good keys of a set that also holds ignored ones", async () => {
    const good = await generateKey("ES256", "good");
    const encryption = await generateKey("RS256", "enc");
    server.json("/jwks", { keys: [{ ...encryption.jwk, use: "enc" }, { kty: "oct", kid: "secret", k: "c2VjcmV0" }, good.jwk, { kty: "EC" }] });
    const verified = await verifierFor().verify(await signToken(good, accessClaims()));
    expect(verified.header.kid).toBe("good");
  });

  it("never takes a symmetric (oct) key from a published JWKS", async () => {
    const key = await generateKey("ES256", "only-asymmetric");
    server.json("/jwks", { keys: [{ kty: "oct", kid: "only-asymmetric", k: Buffer.alloc(32, 7).toString("base64url"), alg: "ES256" }] });
    const error = await refusal(verifierFor().verify(await signToken(key, accessClaims())));
    expect(error.code).toBe("key_not_found");
    expect(error.hint).toContain("symmetric (oct) keys are never taken from a JWKS");
  });
});
