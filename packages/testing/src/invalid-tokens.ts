import { createHmac, createPublicKey, randomBytes } from "node:crypto";
import { invalidOption, show } from "./errors.js";
import { generateKey } from "./keys.js";
import { type MintContext, type MintOptions, prepareToken, signToken } from "./mint.js";

/**
 * The invalid tokens a mock issuer mints for attack and failure tests. Each
 * is otherwise a valid token of this issuer for its audience, so that the one
 * defect named is the only reason to refuse it; `code` is the TokenError code
 * tokenward's verifier answers with, `status` the HTTP status its adapters send.
 */
export const INVALID_TOKENS = Object.freeze({
  expired: { code: "token_expired", status: 401, description: "`exp` one hour in the past (RFC 7519 §4.1.4)" },
  notYetValid: { code: "token_not_yet_valid", status: 401, description: "`nbf` one hour in the future (RFC 7519 §4.1.5)" },
  wrongIssuer: { code: "issuer_untrusted", status: 401, description: "`iss` is another issuer's, signed with this issuer's key" },
  wrongAudience: { code: "audience_mismatch", status: 401, description: "`aud` is another API's" },
  foreignKey: {
    code: "signature_invalid",
    status: 401,
    description: "signed by a key that is not in the JWKS, under the kid of one that is",
  },
  unknownKid: { code: "key_not_found", status: 401, description: "a `kid` the JWKS does not have (the verifier refetches once, then refuses)" },
  algNone: { code: "algorithm_not_allowed", status: 401, description: "`alg: none` and an empty signature (RFC 8725 §2.1)" },
  algorithmConfusion: {
    code: "algorithm_not_allowed",
    status: 401,
    description: "HS256 with the issuer's public key (its PEM) as the HMAC secret (RFC 8725 §2.1)",
  },
  tampered: { code: "signature_invalid", status: 401, description: "the payload changed (`sub`) after signing, the original signature kept" },
  idJag: {
    code: "type_not_allowed",
    status: 401,
    description: "an ID-JAG (`typ: oauth-id-jag+jwt`): a grant for a token endpoint, never an access token",
  },
} as const);

export type InvalidTokenKind = keyof typeof INVALID_TOKENS;

const HOUR = 3600;

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Mints one of INVALID_TOKENS; `claims` and `options` as for `mint` (the defect is applied last). */
export async function mintInvalidToken(ctx: MintContext, kind: InvalidTokenKind, claims?: Record<string, unknown>, options?: MintOptions): Promise<string> {
  if (typeof kind !== "string" || !Object.hasOwn(INVALID_TOKENS, kind)) {
    throw invalidOption("mintInvalid", `${show(kind)} is not one of ${Object.keys(INVALID_TOKENS).join(", ")}`);
  }
  const now = Math.floor(ctx.now());
  switch (kind) {
    case "expired":
      return signToken(prepareToken(ctx, { ...claims, iat: now - 2 * HOUR, exp: now - HOUR }, options));
    case "notYetValid":
      return signToken(prepareToken(ctx, { ...claims, iat: now, nbf: now + HOUR, exp: now + 2 * HOUR }, options));
    case "wrongIssuer":
      return signToken(prepareToken(ctx, { ...claims, iss: "https://untrusted-issuer.example" }, options));
    case "wrongAudience":
      // Cognito access tokens name their audience (the app client) in client_id, not aud.
      return signToken(
        prepareToken(
          ctx,
          (options?.preset ?? ctx.preset) === "cognito" ? { ...claims, client_id: "another-app-client" } : { ...claims, aud: "https://another-api.example" },
          options,
        ),
      );
    case "foreignKey": {
      const unsigned = prepareToken(ctx, claims, options);
      // A key of the same algorithm that was never published: the kid points at a real
      // key, so the verifier finds that key and the signature fails against it.
      const stranger = await generateKey(unsigned.key.alg);
      return signToken({ ...unsigned, key: { ...stranger, kid: unsigned.key.kid } });
    }
    case "unknownKid": {
      const unsigned = prepareToken(ctx, claims, options);
      return signToken({ ...unsigned, header: { ...unsigned.header, kid: `unknown-${randomBytes(6).toString("hex")}` } });
    }
    case "algNone": {
      const { header, payload } = prepareToken(ctx, claims, options);
      return `${b64json({ ...header, alg: "none" })}.${b64json(payload)}.`;
    }
    case "algorithmConfusion": {
      const { key, header, payload } = prepareToken(ctx, claims, options);
      // The classic confusion: a verifier that takes `alg` from the token and the public key
      // "as the secret" would accept this. The secret is the published key's SPKI PEM.
      const pem = createPublicKey({ key: { ...key.publicJwk }, format: "jwk" }).export({ type: "spki", format: "pem" });
      const input = `${b64json({ ...header, alg: "HS256" })}.${b64json(payload)}`;
      return `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
    }
    case "tampered": {
      const token = await signToken(prepareToken(ctx, claims, options));
      const [header, payload, signature] = token.split(".") as [string, string, string];
      const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
      decoded.sub = `${String(decoded.sub ?? "someone")}-tampered`;
      return `${header}.${b64json(decoded)}.${signature}`;
    }
    case "idJag": {
      // draft-ietf-oauth-identity-assertion-authz-grant §3: typ oauth-id-jag+jwt, with iss, sub,
      // aud, client_id, jti, exp, iat. The audience is left the API's, so that only the type
      // says this is a grant to redeem at a token endpoint, not an access token.
      const unsigned = prepareToken(ctx, { ...claims, resource: claims?.resource ?? ctx.audience }, options);
      return signToken({ ...unsigned, header: { ...unsigned.header, typ: "oauth-id-jag+jwt" } });
    }
  }
}
