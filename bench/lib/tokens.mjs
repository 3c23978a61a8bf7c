// Realistic access tokens for the benchmarks: 800-1,200 bytes, with the claim
// shapes Microsoft Entra and Okta put in theirs, signed with node:crypto.
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";

export const ISSUER = "https://login.example.com/oauth2/default";
export const AUDIENCE = "api://orders";

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

function entraShaped(now, i) {
  return {
    aud: AUDIENCE,
    iss: ISSUER,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    aio: randomBytes(90).toString("base64url"),
    azp: "0d7c6e2a-5b4f-4c1e-9f77-2e8a1c3b5d6f",
    azpacr: "1",
    name: `Ada Lovelace ${i}`,
    oid: randomUUID(),
    preferred_username: `ada.lovelace.${i}@contoso.example`,
    rh: `0.${randomBytes(16).toString("base64url")}.`,
    roles: ["Orders.Read", "Orders.Write", "Reports.Export"],
    scp: "orders.read orders.write profile",
    sub: randomBytes(32).toString("base64url"),
    tid: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    uti: randomBytes(16).toString("base64url"),
    ver: "2.0",
  };
}

function oktaShaped(now, i) {
  return {
    ver: 1,
    jti: `AT.${randomBytes(20).toString("base64url")}`,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now - 60,
    exp: now + 3600,
    cid: "0oa1b2c3d4e5f6g7h8i9",
    uid: `00u${randomBytes(12).toString("hex")}`,
    scp: ["openid", "profile", "email", "orders:read", "orders:write"],
    auth_time: now - 120,
    sub: `user${i}@example.com`,
    groups: ["Everyone", "Developers", "Orders-Admins", "EU-Staff"],
    email: `user${i}@example.com`,
    locale: "en-GB",
    amr: ["pwd", "mfa"],
    sid: randomBytes(24).toString("base64url"),
  };
}

/** A key pair per algorithm, with the public JWK (kid, alg) and the node KeyObjects. */
export function makeKey(alg) {
  const spec = {
    RS256: ["rsa", { modulusLength: 2048 }],
    PS256: ["rsa", { modulusLength: 2048 }],
    ES256: ["ec", { namedCurve: "P-256" }],
    EdDSA: ["ed25519", {}],
  }[alg];
  const { privateKey, publicKey } = generateKeyPairSync(...spec);
  const kid = `${alg.toLowerCase()}-2026`;
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return { alg, kid, privateKey, publicKey, jwk, pem: publicKey.export({ format: "pem", type: "spki" }) };
}

function signInput(key, input) {
  switch (key.alg) {
    case "RS256":
      return sign("sha256", Buffer.from(input), key.privateKey);
    case "PS256":
      return sign("sha256", Buffer.from(input), { key: key.privateKey, padding: 6, saltLength: 32 });
    case "ES256":
      return sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
    case "EdDSA":
      return sign(null, Buffer.from(input), key.privateKey);
  }
  throw new Error(key.alg);
}

const SIGNATURE_CHARS = { RS256: 342, PS256: 342, ES256: 86, EdDSA: 86, HS256: 43 };

/**
 * Claims of one shape, their variable-length field (Entra's `aio`, Okta's
 * `sid`; both opaque strings of varying length in real tokens) sized so the
 * whole token has about `target` bytes.
 */
function claimsOfSize(i, now, headerChars, signatureChars, target) {
  const claims = i % 2 === 0 ? entraShaped(now, i) : oktaShaped(now, i);
  const field = i % 2 === 0 ? "aio" : "sid";
  claims[field] = "";
  const bare = Math.ceil((JSON.stringify(claims).length * 4) / 3);
  const room = target - headerChars - signatureChars - 2 - bare;
  claims[field] = randomBytes(Math.max(8, Math.floor((room * 3) / 4 / (4 / 3)))).toString("base64url");
  return claims;
}

/** `count` distinct tokens, alternating Entra and Okta shapes, 800 to 1,200 bytes long. */
export function makeTokens(key, count, now = Math.floor(Date.now() / 1000)) {
  const header = b64({ alg: key.alg, kid: key.kid, typ: "JWT" });
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const claims = claimsOfSize(i, now, header.length, SIGNATURE_CHARS[key.alg], 820 + ((i * 7919) % 350));
    const input = `${header}.${b64(claims)}`;
    tokens.push(`${input}.${signInput(key, input).toString("base64url")}`);
  }
  return tokens;
}

/** HS256 tokens (cheap to mint) for the memory run, which needs a million distinct tokens. */
export function makeHmacTokens(secret, count, now = Math.floor(Date.now() / 1000)) {
  const header = b64({ alg: "HS256", typ: "JWT" });
  const tokens = new Array(count);
  for (let i = 0; i < count; i++) {
    const input = `${header}.${b64(claimsOfSize(i, now, header.length, SIGNATURE_CHARS.HS256, 820 + ((i * 7919) % 350)))}`;
    tokens[i] = `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
  }
  return tokens;
}
