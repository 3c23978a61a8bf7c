import { exportSPKI, importJWK } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier } from "../../src/index.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { BACKENDS, refusal } from "../helpers/jwks-faults.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

/**
 * RFC 8725 §3.10 and RFC 7515 §4.1.2-4.1.6: jku, jwk, x5u and x5c in a token
 * header name keys the token's author chose. A verifier that follows them lets
 * anyone sign; one that fetches from them lets anyone make it send requests
 * (SSRF). Only configured URLs are ever fetched.
 */
describe("nothing in a token makes the verifier fetch or trust a key", () => {
  let server: TestServer;
  let legit: TestKey;
  let attacker: TestKey;
  const bait = ["/attacker/jwks.json", "/attacker/cert.pem", "/evil/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/evil"];

  beforeEach(async () => {
    server = await startServer();
    legit = await generateKey("ES256", "legit");
    attacker = await generateKey("ES256", "attacker");
    server.json("/jwks", jwksOf(legit));
    server.json("/attacker/jwks.json", jwksOf(attacker));
    server.route("/attacker/cert.pem", (_request, response) => {
      response.writeHead(200, { "content-type": "application/pem-certificate-chain" }).end("-----BEGIN CERTIFICATE-----");
    });
    server.json("/evil/.well-known/openid-configuration", { issuer: `${server.origin}/evil`, jwks_uri: `${server.origin}/attacker/jwks.json` });
  });
  afterEach(async () => {
    for (const path of bait) expect(server.count(path), `requests to ${path}`).toBe(0);
    await server.close();
  });

  function verifierFor(crypto: (typeof BACKENDS)[number]) {
    return createVerifier({ crypto, issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: `${server.origin}/jwks` }] });
  }

  /** The attacker's public key as base64 DER (SPKI), the way x5c carries key material. */
  async function attackerDer(): Promise<string> {
    const publicKey = await importJWK(attacker.jwk, "ES256");
    return (await exportSPKI(publicKey as CryptoKey)).replace(/-----[A-Z ]+-----|\s/g, "");
  }

  for (const crypto of BACKENDS) {
    it(`ignores jku and x5u: the attacker's URLs get no request, and the attacker's kid is key_not_found (${crypto})`, async () => {
      const verifier = verifierFor(crypto);
      for (const header of [{ jku: `${server.origin}/attacker/jwks.json` }, { x5u: `${server.origin}/attacker/cert.pem` }]) {
        const error = await refusal(verifier.verify(await signToken(attacker, accessClaims(), header)));
        expect(error.code).toBe("key_not_found");
        expect(error.hint).toContain('no key has kid "attacker"');
      }
      expect(server.count("/jwks")).toBe(1);
    });

    it(`ignores jku and x5u when the attacker reuses the legitimate kid: signature_invalid (${crypto})`, async () => {
      const verifier = verifierFor(crypto);
      for (const header of [{ jku: `${server.origin}/attacker/jwks.json` }, { x5u: `${server.origin}/attacker/cert.pem` }]) {
        const error = await refusal(verifier.verify(await signToken(attacker, accessClaims(), { ...header, kid: "legit" })));
        expect(error.code).toBe("signature_invalid");
      }
    });

    it(`never verifies with a key embedded in the header (jwk, x5c) (${crypto})`, async () => {
      const verifier = verifierFor(crypto);
      // Not a certificate chain, but the point stands: what x5c carries is never read.
      const x5c = [await attackerDer()];
      for (const embedded of [{ jwk: attacker.jwk }, { x5c }]) {
        const ownKid = await refusal(verifier.verify(await signToken(attacker, accessClaims(), embedded)));
        expect(ownKid.code).toBe("key_not_found");
        const stolenKid = await refusal(verifier.verify(await signToken(attacker, accessClaims(), { ...embedded, kid: "legit" })));
        expect(stolenKid.code).toBe("signature_invalid");
      }
      // And the legitimate key still verifies, with or without such header members.
      await verifier.verify(await signToken(legit, accessClaims(), { jku: `${server.origin}/attacker/jwks.json` }));
    });
  }

  it("refuses a token whose iss is an unknown URL on the same server as issuer_untrusted, before any request", async () => {
    const verifier = verifierFor("node");
    const error = await refusal(verifier.verify(await signToken(attacker, accessClaims({ iss: `${server.origin}/evil` }))));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain("no keys were fetched for it");
    // Not even the configured JWKS was fetched: the issuer is checked first.
    expect(server.hits.size).toBe(0);
  });

  it("refuses an unknown iss even when the only configured issuer is discovered from the same server", async () => {
    const issuer = `${server.origin}/tenant`;
    server.json("/tenant/.well-known/openid-configuration", { issuer, jwks_uri: `${server.origin}/jwks` });
    const verifier = createVerifier({ issuers: [{ issuer, audience: AUDIENCE }] });
    const error = await refusal(verifier.verify(await signToken(attacker, accessClaims({ iss: `${server.origin}/evil` }))));
    expect(error.code).toBe("issuer_untrusted");
    expect(server.hits.size).toBe(0);
  });
});
