import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TOKEN_ERROR_CODES, TOKEN_ERRORS, type TokenErrorCode } from "../../src/errors/codes.js";
import { TokenError } from "../../src/errors/token-error.js";
import { type ChallengeOptions, errorResponse } from "../../src/http/challenge.js";

// RFC 6750 §3: how a resource server answers a refused request.

const HINT = "operator-only: the JWKS at https://internal.example/keys answered 500 (secret-ish detail)";
const DEFAULTS: ChallengeOptions = { realm: "api", resourceMetadata: undefined };

const error = (code: TokenErrorCode, extra: Partial<ConstructorParameters<typeof TokenError>[1]> = {}) => new TokenError(code, { hint: HINT, ...extra });

/** What RFC 6750 §3 and the contract say each code answers. */
function expected(code: TokenErrorCode): { status: number; challenge: string | undefined } {
  const message = TOKEN_ERRORS[code].message;
  if (code === "token_missing") return { status: 401, challenge: 'Bearer realm="api"' };
  if (code === "invalid_request") return { status: 400, challenge: `Bearer realm="api", error="invalid_request", error_description="${message}"` };
  if (code === "insufficient_scope") {
    return { status: 403, challenge: `Bearer realm="api", error="insufficient_scope", error_description="${message}", scope="read:data write:data"` };
  }
  if (code === "access_denied") return { status: 403, challenge: undefined };
  if (code === "jwks_unavailable" || code === "introspection_unavailable") return { status: 503, challenge: undefined };
  return { status: 401, challenge: `Bearer realm="api", error="invalid_token", error_description="${message}"` };
}

/** RFC 9110 §5.6.4 quoted-string, read back: the value between the quotes with quoted-pairs undone. */
function unquote(quoted: string): string {
  expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true);
  const inner = quoted.slice(1, -1);
  // No unescaped quote inside: every '"' is preceded by an odd run of backslashes.
  expect(inner).toMatch(/^(?:[^"\\]|\\.)*$/);
  return inner.replace(/\\(.)/g, "$1");
}

/** Splits `Bearer a="x", b="y"` into its auth-params (RFC 9110 §11.2), honouring quoted-pairs. */
function params(challenge: string): Record<string, string> {
  expect(challenge.startsWith("Bearer ")).toBe(true);
  const out: Record<string, string> = {};
  const re = /\s*([a-z_]+)=("(?:[^"\\]|\\.)*")\s*(?:,|$)/gy;
  const rest = challenge.slice("Bearer ".length);
  let match: RegExpExecArray | null = re.exec(rest);
  let consumed = 0;
  while (match !== null) {
    out[match[1] as string] = unquote(match[2] as string);
    consumed = re.lastIndex;
    match = re.exec(rest);
  }
  expect(consumed).toBe(rest.length);
  return out;
}

describe("errorResponse: status and WWW-Authenticate for every code (RFC 6750 §3)", () => {
  for (const code of TOKEN_ERROR_CODES) {
    const { status, challenge } = expected(code);
    it(`${code} answers ${status} ${challenge === undefined ? "without a challenge" : "with its Bearer challenge"}`, () => {
      const response = errorResponse(error(code, code === "insufficient_scope" ? { requiredScopes: ["read:data", "write:data"] } : {}), DEFAULTS);
      expect(response.status).toBe(status);
      expect(response.status).toBe(TOKEN_ERRORS[code].status);
      expect(response.headers["www-authenticate"]).toBe(challenge);
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.body.code).toBe(code);
      expect(response.body.message).toBe(TOKEN_ERRORS[code].message);
      if (status === 503) expect(response.headers["retry-after"]).toMatch(/^\d+$/);
      else expect(response.headers["retry-after"]).toBeUndefined();
    });
  }

  it("a missing token gets a bare challenge: no error code, no description (RFC 6750 §3.1)", () => {
    const { headers } = errorResponse(error("token_missing"), DEFAULTS);
    expect(headers["www-authenticate"]).not.toContain("error");
  });

  it("insufficient_scope names the scopes in the challenge and in the body", () => {
    const response = errorResponse(error("insufficient_scope", { requiredScopes: ["write:data"] }), DEFAULTS);
    expect(params(response.headers["www-authenticate"] as string).scope).toBe("write:data");
    expect(response.body).toEqual({ code: "insufficient_scope", message: TOKEN_ERRORS.insufficient_scope.message, scope: "write:data" });
  });

  it("insufficient_scope without required scopes omits scope= rather than sending an empty one", () => {
    const response = errorResponse(error("insufficient_scope"), DEFAULTS);
    expect(response.headers["www-authenticate"]).not.toContain("scope=");
    expect(response.body).toEqual({ code: "insufficient_scope", message: TOKEN_ERRORS.insufficient_scope.message });
  });

  it("access_denied answers 403 without a challenge: a new token would not help", () => {
    const response = errorResponse(error("access_denied"), { realm: "api", resourceMetadata: "https://api.example.com/.well-known/oauth-protected-resource" });
    expect(response.status).toBe(403);
    expect(response.headers["www-authenticate"]).toBeUndefined();
  });

  it("503 carries the error's Retry-After, 5 seconds by default, and no challenge", () => {
    expect(errorResponse(error("jwks_unavailable", { retryAfter: 42 }), DEFAULTS).headers["retry-after"]).toBe("42");
    expect(errorResponse(error("jwks_unavailable"), DEFAULTS).headers["retry-after"]).toBe("5");
    expect(errorResponse(error("introspection_unavailable", { retryAfter: 7 }), DEFAULTS).headers["retry-after"]).toBe("7");
  });

  it("Retry-After is always whole non-negative seconds (delay-seconds, RFC 9110 §10.2.3)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -10, max: 1e6 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)), (retryAfter) => {
        expect(errorResponse(error("jwks_unavailable", { retryAfter }), DEFAULTS).headers["retry-after"]).toMatch(/^\d+$/);
      }),
    );
  });

  it("adds resource_metadata to every challenge when configured (RFC 9728 §5.1)", () => {
    const resourceMetadata = "https://api.example.com/.well-known/oauth-protected-resource";
    for (const code of ["token_missing", "token_expired", "invalid_request", "insufficient_scope"] as const) {
      const challenge = errorResponse(error(code, { requiredScopes: ["a"] }), { realm: "api", resourceMetadata }).headers["www-authenticate"] as string;
      expect(params(challenge).resource_metadata).toBe(resourceMetadata);
      expect(challenge.endsWith(`resource_metadata="${resourceMetadata}"`)).toBe(true);
    }
  });
});

describe("errorResponse: quoted-string escaping (RFC 9110 §5.6.4)", () => {
  it("escapes quotes and backslashes in the realm, the description and resource_metadata", () => {
    const realm = 'say "hi" \\ there';
    const resourceMetadata = 'https://api.example.com/.well-known/oauth-protected-resource?x="1"\\';
    const description = 'bad "token" \\ here';
    const challenge = errorResponse(error("token_expired", { message: description }), { realm, resourceMetadata }).headers["www-authenticate"] as string;
    expect(challenge).toBe(
      String.raw`Bearer realm="say \"hi\" \\ there", error="invalid_token", error_description="bad \"token\" \\ here", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource?x=\"1\"\\"`,
    );
    expect(params(challenge)).toEqual({ realm, error: "invalid_token", error_description: description, resource_metadata: resourceMetadata });
  });

  it("never lets a line break into the header (no header injection)", () => {
    const challenge = errorResponse(error("token_expired", { message: "line\r\nX-Injected: yes" }), { realm: "api", resourceMetadata: "https://a.example/\nb" })
      .headers["www-authenticate"] as string;
    expect(challenge).not.toMatch(/[\r\n]/);
  });

  it("any realm, description and metadata URL round-trip through the quoted-string", () => {
    const printable = fc.string({ unit: fc.constantFrom(..." !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"), maxLength: 30 });
    fc.assert(
      fc.property(printable, printable, printable, (realm, message, resourceMetadata) => {
        const challenge = errorResponse(error("signature_invalid", { message }), { realm, resourceMetadata }).headers["www-authenticate"] as string;
        expect(params(challenge)).toEqual({ realm, error: "invalid_token", error_description: message, resource_metadata: resourceMetadata });
      }),
    );
  });
});

describe("errorResponse: the body", () => {
  it("never contains the operator's hint, for any code", () => {
    for (const code of TOKEN_ERROR_CODES) {
      const response = errorResponse(error(code, { requiredScopes: ["a"], retryAfter: 3 }), { realm: "api", resourceMetadata: "https://a.example/m" });
      const wire = JSON.stringify(response.body) + JSON.stringify(response.headers);
      expect(wire).not.toContain("operator-only");
      expect(wire).not.toContain("internal.example");
      expect(Object.keys(response.body).sort()).toEqual(code === "insufficient_scope" ? ["code", "message", "scope"] : ["code", "message"]);
    }
  });

  it("is a JSON object with the same code as the challenge's situation", () => {
    const response = errorResponse(error("audience_mismatch"), DEFAULTS);
    expect(JSON.parse(JSON.stringify(response.body))).toEqual({ code: "audience_mismatch", message: TOKEN_ERRORS.audience_mismatch.message });
  });
});
