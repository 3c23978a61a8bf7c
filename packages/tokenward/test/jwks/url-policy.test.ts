import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createVerifier, type IssuerPolicy, type VerifierOptions } from "../../src/index.js";
import { fetchUrlProblem } from "../../src/jwks/url-policy.js";
import { verifierConfigError } from "../helpers/attack.js";
import { startServer, type TestServer } from "../helpers/http-server.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

function withJwksUri(jwksUri: string, extra: Partial<IssuerPolicy> = {}): VerifierOptions {
  return { issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri, ...extra }] };
}

describe("JWKS and discovery URLs: https, or http on loopback only (CONTRACT.md)", () => {
  it("refuses an http JWKS URL on a non-loopback host at createVerifier, naming the field", () => {
    const error = verifierConfigError(withJwksUri("http://issuer.example.com/jwks"));
    expect(error.field).toBe("issuers[0].jwksUri");
    expect(error.message).toContain("uses http on a non-loopback host");
    expect(error.message).toContain("dangerouslyAllowInsecureHttp");
  });

  it("refuses hosts that merely look like loopback", () => {
    for (const uri of ["http://localhost.attacker.example/jwks", "http://127.0.0.1.nip.io/jwks", "http://10.0.0.1/jwks", "http://[::ffff:7f00:1]/jwks"]) {
      expect(verifierConfigError(withJwksUri(uri)).field).toBe("issuers[0].jwksUri");
    }
  });

  it("allows plain http elsewhere only with dangerouslyAllowInsecureHttp", () => {
    expect(() => createVerifier(withJwksUri("http://issuer.example.com/jwks", { dangerouslyAllowInsecureHttp: true }))).not.toThrow();
  });

  it("accepts http on 127.0.0.1, localhost and [::1], and https anywhere", () => {
    for (const uri of [
      "http://127.0.0.1:8080/jwks",
      "http://localhost:9000/jwks",
      "http://[::1]:9000/jwks",
      "http://LOCALHOST/jwks",
      "https://issuer.example.com/jwks",
    ]) {
      expect(() => createVerifier(withJwksUri(uri))).not.toThrow();
    }
  });

  it("refuses credentials in the URL, which would end up in logs", () => {
    for (const uri of ["https://user:pass@issuer.example.com/jwks", "https://token@issuer.example.com/jwks"]) {
      const error = verifierConfigError(withJwksUri(uri));
      expect(error.field).toBe("issuers[0].jwksUri");
      expect(error.message).toContain("credentials in a URL");
    }
  });

  it("refuses schemes other than http and https", () => {
    for (const uri of ["file:///etc/jwks.json", "ftp://issuer.example.com/jwks", "data:application/json,{}", "javascript:alert(1)"]) {
      const error = verifierConfigError(withJwksUri(uri));
      expect(error.field).toBe("issuers[0].jwksUri");
      expect(error.message).toContain("must be an https URL");
    }
  });

  it("refuses a relative URL or one with a #fragment", () => {
    expect(verifierConfigError(withJwksUri("/.well-known/jwks.json")).message).toContain("is not an absolute URL");
    expect(verifierConfigError(withJwksUri("https://issuer.example.com/jwks#keys")).message).toContain("#fragment");
  });

  it("applies the same rule to discoveryUrl and to an issuer that keys are discovered from", () => {
    const viaDiscoveryUrl = verifierConfigError({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, discoveryUrl: "http://issuer.example.com/.well-known/openid-configuration" }],
    });
    expect(viaDiscoveryUrl.field).toBe("issuers[0].discoveryUrl");
    const viaIssuer = verifierConfigError({ issuers: [{ issuer: "http://issuer.example.com", audience: AUDIENCE }] });
    expect(viaIssuer.field).toBe("issuers[0].issuer");
    expect(viaIssuer.message).toContain("discovered from the issuer");
  });

  it("names the jwks option at fault where it was set: the verifier's jwks or the issuer's jwksOptions", () => {
    const remote = withJwksUri("https://issuer.example.com/jwks");
    expect(verifierConfigError({ ...remote, jwks: { timeoutMs: -1 } }).field).toBe("jwks.timeoutMs");
    expect(verifierConfigError({ ...remote, jwks: { timeout: 5 } as never }).field).toBe("jwks.timeout");
    const perIssuer = withJwksUri("https://issuer.example.com/jwks", { jwksOptions: { maxBytes: Number.NaN } });
    expect(verifierConfigError({ ...perIssuer, jwks: { maxBytes: 1024 } }).field).toBe("issuers[0].jwksOptions.maxBytes");
  });

  it("fetchUrlProblem: undefined for what may be fetched, a reason otherwise", () => {
    expect(fetchUrlProblem("https://issuer.example.com/jwks", false)).toBeUndefined();
    expect(fetchUrlProblem("http://127.0.0.1:1/jwks", false)).toBeUndefined();
    expect(fetchUrlProblem("http://[::1]/jwks", false)).toBeUndefined();
    expect(fetchUrlProblem("http://example.com/jwks", true)).toBeUndefined();
    expect(fetchUrlProblem("http://example.com/jwks", false)).toContain("non-loopback");
    expect(fetchUrlProblem("not a url", false)).toContain("not an absolute URL");
  });
});

describe("an http JWKS on loopback works end to end", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("verifies a token with keys fetched over http from 127.0.0.1", async () => {
    const key = await generateKey("EdDSA");
    server.json("/jwks", jwksOf(key));
    const verifier = createVerifier(withJwksUri(`${server.origin}/jwks`));
    const verified = await verifier.verify(await signToken(key, accessClaims()));
    expect(verified.issuer.jwksUri).toBe(`${server.origin}/jwks`);
    expect(server.count("/jwks")).toBe(1);
  });
});
