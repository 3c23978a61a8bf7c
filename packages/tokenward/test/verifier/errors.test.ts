import { describe, expect, it, vi } from "vitest";
import { ConfigError, createVerifier, TOKEN_ERROR_CODES, TOKEN_ERRORS, TokenError, type TokenErrorCode } from "../../src/index.js";
import { refusal } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken } from "../helpers/keys.js";

// The error contract: the codes and HTTP statuses of CONTRACT.md, a message
// safe for clients, a hint for operators that never crosses the wire.

/** CONTRACT.md, "verify rejects with a TokenError whose code is one of", copied by hand. */
const CONTRACT: Record<string, number> = {
  token_missing: 401,
  token_malformed: 401,
  algorithm_not_allowed: 401,
  type_not_allowed: 401,
  issuer_untrusted: 401,
  tenant_not_allowed: 401,
  key_not_found: 401,
  jwks_unavailable: 503,
  introspection_unavailable: 503,
  signature_invalid: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  audience_mismatch: 401,
  claim_missing: 401,
  claim_invalid: 401,
  token_inactive: 401,
  token_replayed: 401,
  insufficient_scope: 403,
  access_denied: 403,
};

/** Codes tokenward adds beyond CONTRACT.md (extensions are allowed; renames and removals are not). */
const EXTENSIONS: Record<string, number> = {
  // RFC 6750 §3.1: the HTTP adapters refuse requests that carry credentials wrongly.
  invalid_request: 400,
};

const SECRET_HINT = "kid 'k1' from https://internal.example.com/jwks refused: clock reads 2023-11-14";

describe("errors: the CONTRACT.md table", () => {
  it("has every code of CONTRACT.md, and no others than the listed extensions", () => {
    const expected = Object.keys({ ...CONTRACT, ...EXTENSIONS }).sort();
    expect([...TOKEN_ERROR_CODES].sort()).toEqual(expected);
    expect(Object.keys(TOKEN_ERRORS).sort()).toEqual(expected);
    expect(Object.isFrozen(TOKEN_ERROR_CODES)).toBe(true);
  });

  for (const [code, status] of Object.entries(CONTRACT)) {
    it(`gives ${code} the HTTP status ${status} and a client-safe default message`, () => {
      const error = new TokenError(code as TokenErrorCode, { hint: SECRET_HINT });
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(TOKEN_ERRORS[code as TokenErrorCode].status).toBe(status);
      expect(error.message).toBe(TOKEN_ERRORS[code as TokenErrorCode].message);
      expect(error.message).toMatch(/^[A-Z][^\n]*\.$/);
      expect(error.message).not.toContain("internal.example.com");
      expect(error.hint).toBe(SECRET_HINT);
      expect(error.name).toBe("TokenError");
      expect(error).toBeInstanceOf(Error);
    });
  }
});

describe("errors: TokenError", () => {
  it("serializes to code and message only: the hint stays on the server", () => {
    const error = new TokenError("signature_invalid", { hint: SECRET_HINT, cause: new Error("inner") });
    expect(error.toJSON()).toEqual({ code: "signature_invalid", message: TOKEN_ERRORS.signature_invalid.message });
    const wire = JSON.stringify({ error });
    expect(wire).not.toContain("internal.example.com");
    expect(wire).not.toContain("hint");
    expect(JSON.parse(wire)).toEqual({ error: { code: "signature_invalid", message: "The token's signature is invalid." } });
  });

  it("keeps the hint off the wire for a real refusal too", async () => {
    const key = await generateKey("ES256", "k1");
    const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
    const token = await signToken(key, accessClaims({ aud: "https://secret-internal-api.example.com" }));
    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe("audience_mismatch");
    expect(error.hint).toContain("secret-internal-api");
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: "audience_mismatch", message: TOKEN_ERRORS.audience_mismatch.message });
  });

  it("carries requiredScopes and retryAfter, and a custom client-safe message when given", () => {
    const scoped = new TokenError("insufficient_scope", { hint: "needs write", requiredScopes: ["write:data"] });
    expect(scoped.requiredScopes).toEqual(["write:data"]);
    const busy = new TokenError("jwks_unavailable", { hint: "down", retryAfter: 5 });
    expect(busy.retryAfter).toBe(5);
    expect(busy.status).toBe(503);
    const custom = new TokenError("access_denied", { hint: "h", message: "Admins only." });
    expect(custom.message).toBe("Admins only.");
    expect(custom.toJSON()).toEqual({ code: "access_denied", message: "Admins only." });
  });

  it("recognises a TokenError from another copy of the module (TokenError.is, the dual-package hazard)", async () => {
    vi.resetModules();
    const other = await import("../../src/errors/token-error.js");
    expect(other.TokenError).not.toBe(TokenError);
    const foreign = new other.TokenError("token_expired", { hint: "h" });
    expect(foreign).not.toBeInstanceOf(TokenError);
    expect(TokenError.is(foreign)).toBe(true);
    expect(other.TokenError.is(new TokenError("token_expired", { hint: "h" }))).toBe(true);
  });

  it("does not mistake look-alikes for a TokenError", () => {
    for (const value of [
      null,
      undefined,
      "token_expired",
      { code: "token_expired", status: 401, message: "The token has expired.", hint: "h" },
      Object.assign(new Error("x"), { code: "token_expired", status: 401 }),
      new ConfigError("issuers", "x"),
    ]) {
      expect(TokenError.is(value)).toBe(false);
    }
  });
});

describe("errors: ConfigError", () => {
  it("names the field, carries code config_invalid and starts its message with the field", () => {
    const error = new ConfigError("issuers[0].audience", "required");
    expect(error.field).toBe("issuers[0].audience");
    expect(error.code).toBe("config_invalid");
    expect(error.name).toBe("ConfigError");
    expect(error.message).toBe("issuers[0].audience: required");
    expect(ConfigError.is(error)).toBe(true);
    expect(ConfigError.is(new TokenError("token_missing", { hint: "h" }))).toBe(false);
    expect(ConfigError.is({ code: "config_invalid", field: "x" })).toBe(false);
  });

  it("recognises a ConfigError from another copy of the module", async () => {
    vi.resetModules();
    const other = await import("../../src/errors/config-error.js");
    expect(other.ConfigError).not.toBe(ConfigError);
    expect(ConfigError.is(new other.ConfigError("f", "m"))).toBe(true);
  });

  it("is thrown synchronously by createVerifier, never as a rejected promise", () => {
    expect(() => createVerifier({ issuers: [] })).toThrow(ConfigError);
  });
});

describe("errors: refusals from verify are TokenErrors", () => {
  it("rejects (never throws synchronously) even for input that is not a string", async () => {
    const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE }] });
    const pending = verifier.verify(42 as unknown as string);
    expect(pending).toBeInstanceOf(Promise);
    expect((await refusal(pending)).code).toBe("token_malformed");
  });
});
