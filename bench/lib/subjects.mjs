// The verifiers under test, each configured for the same job: signature,
// issuer, audience, expiry, one algorithm, keys already in memory.
import { verify as cryptoVerify } from "node:crypto";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { createVerifier as fastJwtVerifier } from "fast-jwt";
import { createLocalJWKSet, jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { createVerifier } from "tokenward";
import { AUDIENCE, ISSUER } from "./tokens.mjs";

/** The ceiling: crypto.verify with a pre-imported KeyObject, plus base64url decoding and JSON.parse of the payload. */
export function raw(key) {
  const options =
    key.alg === "PS256"
      ? { key: key.publicKey, padding: 6, saltLength: 32 }
      : key.alg === "ES256"
        ? { key: key.publicKey, dsaEncoding: "ieee-p1363" }
        : key.publicKey;
  const hash = key.alg === "EdDSA" ? null : "sha256";
  return (token) => {
    const first = token.indexOf(".");
    const second = token.indexOf(".", first + 1);
    const ok = cryptoVerify(hash, Buffer.from(token.slice(0, second), "latin1"), options, Buffer.from(token.slice(second + 1), "base64url"));
    const claims = JSON.parse(Buffer.from(token.slice(first + 1, second), "base64url").toString("utf8"));
    if (!ok || claims.iss !== ISSUER) throw new Error("raw: not verified");
    return claims;
  };
}

export function tokenward(key, options = {}) {
  return createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk] }, algorithms: [key.alg] }], ...options });
}

export function jose(key) {
  const jwks = createLocalJWKSet({ keys: [key.jwk] });
  return (token) => jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: [key.alg] });
}

export function fastJwt(key, cache) {
  const verify = fastJwtVerifier({ key: key.pem, algorithms: [key.alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache });
  return (token) => verify(token);
}

export function jsonwebtokenVerifier(key) {
  if (key.alg === "EdDSA") return undefined; // jsonwebtoken 9 has no EdDSA
  return (token) => jsonwebtoken.verify(token, key.publicKey, { algorithms: [key.alg], issuer: ISSUER, audience: AUDIENCE });
}

export function awsJwtVerify(key) {
  if (key.alg !== "RS256") return undefined;
  const verifier = JwtRsaVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: "https://login.example.com/jwks.json" });
  verifier.cacheJwks({ keys: [key.jwk] });
  return (token) => verifier.verifySync(token);
}
