import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenError } from "../../src/errors/token-error.js";
import { type BearerOptions, type BearerSources, extractBearer } from "../../src/http/bearer.js";

// RFC 6750 §2: a bearer token travels in the Authorization header (§2.1), a
// form body (§2.2) or the query string (§2.3); a request uses one method,
// once (§3.1 invalid_request otherwise).

const OFF: BearerOptions = { allowQueryToken: false, allowBodyToken: false };
const ON: BearerOptions = { allowQueryToken: true, allowBodyToken: true };
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl";
const OTHER = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTIifQ.c2lnbmF0dXJl";

function sources(partial: Partial<BearerSources>): BearerSources {
  return { authorization: [], queryTokens: [], bodyTokens: [], ...partial };
}

/** The TokenError code extractBearer throws, or "ok:<token>" / "none" when it returns. */
function outcome(partial: Partial<BearerSources>, options: BearerOptions = OFF): string {
  try {
    const token = extractBearer(sources(partial), options);
    return token === undefined ? "none" : `ok:${token}`;
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    return error.code;
  }
}

describe("extractBearer: the Authorization header (RFC 6750 §2.1)", () => {
  it("returns the token of one Bearer header", () => {
    expect(outcome({ authorization: [`Bearer ${TOKEN}`] })).toBe(`ok:${TOKEN}`);
  });

  it("reads the scheme case-insensitively (RFC 9110 §11.1)", () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR", "Bearer"]) {
      expect(outcome({ authorization: [`${scheme} ${TOKEN}`] })).toBe(`ok:${TOKEN}`);
    }
  });

  it("accepts several spaces between the scheme and the token (1*SP, RFC 9110 §11.4)", () => {
    expect(outcome({ authorization: [`Bearer    ${TOKEN}`] })).toBe(`ok:${TOKEN}`);
  });

  it("accepts every b64token character and trailing '=' padding (RFC 6750 §2.1)", () => {
    const token = "AZaz09-._~+/==";
    expect(outcome({ authorization: [`Bearer ${token}`] })).toBe(`ok:${token}`);
  });

  it("returns nothing when there is no header, or only another scheme's", () => {
    expect(outcome({})).toBe("none");
    expect(outcome({ authorization: ["Basic dXNlcjpwYXNz"] })).toBe("none");
    expect(outcome({ authorization: ["Bearerx abc"] })).toBe("none");
    expect(outcome({ authorization: ["DPoP abc"] })).toBe("none");
  });

  it("takes the Bearer header among other schemes' headers", () => {
    expect(outcome({ authorization: ["Basic dXNlcjpwYXNz", `Bearer ${TOKEN}`] })).toBe(`ok:${TOKEN}`);
  });

  it("refuses 'Bearer' without a token as invalid_request", () => {
    expect(outcome({ authorization: ["Bearer"] })).toBe("invalid_request");
    expect(outcome({ authorization: ["Bearer "] })).toBe("invalid_request");
    expect(outcome({ authorization: ["Bearer     "] })).toBe("invalid_request");
  });

  it("refuses characters outside the b64token syntax as invalid_request (RFC 6750 §2.1)", () => {
    for (const token of [
      "abc def",
      "abc,def",
      'abc"def',
      "abc;def",
      "abc\\def",
      "abc\tdef",
      "abc%20",
      "abc=def",
      "=abc",
      "=",
      "abc ",
      "tökén",
      "abc\u0000",
      `${TOKEN}, Bearer ${OTHER}`,
    ]) {
      expect(outcome({ authorization: [`Bearer ${token}`] }), token).toBe("invalid_request");
    }
  });

  it("refuses two Bearer headers as invalid_request, even when they carry the same token (RFC 6750 §3.1)", () => {
    expect(outcome({ authorization: [`Bearer ${TOKEN}`, `Bearer ${OTHER}`] })).toBe("invalid_request");
    expect(outcome({ authorization: [`Bearer ${TOKEN}`, `bearer ${TOKEN}`] })).toBe("invalid_request");
  });

  it("says what went wrong in the hint, never with the token in it", () => {
    try {
      extractBearer(sources({ authorization: [`Bearer ${TOKEN}`, `Bearer ${OTHER}`] }), OFF);
      expect.unreachable();
    } catch (error) {
      expect(TokenError.is(error)).toBe(true);
      expect((error as TokenError).hint).toMatch(/two Authorization: Bearer headers/);
      expect((error as TokenError).hint).not.toContain(TOKEN);
      expect((error as TokenError).status).toBe(400);
    }
  });
});

describe("extractBearer: query (RFC 6750 §2.3) and form body (§2.2) tokens", () => {
  it("refuses a query token unless allowQueryToken is on (RFC 6750 §5.3: URLs are logged)", () => {
    expect(outcome({ queryTokens: [TOKEN] })).toBe("invalid_request");
    expect(outcome({ queryTokens: [TOKEN] }, { allowQueryToken: true, allowBodyToken: false })).toBe(`ok:${TOKEN}`);
    expect(outcome({ queryTokens: [TOKEN] }, { allowQueryToken: false, allowBodyToken: true })).toBe("invalid_request");
  });

  it("refuses a body token unless allowBodyToken is on", () => {
    expect(outcome({ bodyTokens: [TOKEN] })).toBe("invalid_request");
    expect(outcome({ bodyTokens: [TOKEN] }, { allowQueryToken: false, allowBodyToken: true })).toBe(`ok:${TOKEN}`);
    expect(outcome({ bodyTokens: [TOKEN] }, { allowQueryToken: true, allowBodyToken: false })).toBe("invalid_request");
  });

  it("refuses header and query together, whether or not the query is allowed (one method, RFC 6750 §3.1)", () => {
    for (const options of [OFF, ON]) expect(outcome({ authorization: [`Bearer ${TOKEN}`], queryTokens: [TOKEN] }, options)).toBe("invalid_request");
  });

  it("refuses header and body together, whether or not the body is allowed", () => {
    for (const options of [OFF, ON]) expect(outcome({ authorization: [`Bearer ${TOKEN}`], bodyTokens: [TOKEN] }, options)).toBe("invalid_request");
  });

  it("refuses query and body together, whether or not both are allowed", () => {
    for (const options of [OFF, ON]) expect(outcome({ queryTokens: [TOKEN], bodyTokens: [OTHER] }, options)).toBe("invalid_request");
  });

  it("refuses two query tokens, and two body tokens, even when both methods are allowed", () => {
    expect(outcome({ queryTokens: [TOKEN, OTHER] }, ON)).toBe("invalid_request");
    expect(outcome({ bodyTokens: [TOKEN, TOKEN] }, ON)).toBe("invalid_request");
  });

  it("a non-Bearer Authorization header beside an allowed query token is not a second credential", () => {
    expect(outcome({ authorization: ["Basic dXNlcjpwYXNz"], queryTokens: [TOKEN] }, ON)).toBe(`ok:${TOKEN}`);
  });
});

describe("extractBearer: properties", () => {
  const anyHeader = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ maxLength: 60 }).map((rest) => `Bearer ${rest}`),
    fc
      .tuple(
        fc.constantFrom("bearer", "BEARER", "Bearer", "bEARER"),
        fc.string({ unit: fc.constantFrom(" ", "\t", ",", '"', "=", "a", "Z", "9", "-", "."), maxLength: 30 }),
      )
      .map(([scheme, rest]) => `${scheme}${rest}`),
  );
  const anyOptions = fc.record({ allowQueryToken: fc.boolean(), allowBodyToken: fc.boolean() });
  const anySources = fc.record({
    authorization: fc.array(anyHeader, { maxLength: 3 }),
    queryTokens: fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
    bodyTokens: fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
  });

  it("for any header value, returns a b64token or nothing, or throws invalid_request and nothing else", () => {
    fc.assert(
      fc.property(anyHeader, anyOptions, (header, options) => {
        let token: string | undefined;
        try {
          token = extractBearer(sources({ authorization: [header] }), options);
        } catch (error) {
          expect(error).toBeInstanceOf(TokenError);
          expect((error as TokenError).code).toBe("invalid_request");
          return;
        }
        if (token !== undefined) {
          expect(token).toMatch(B64TOKEN);
          expect(header.toLowerCase().startsWith("bearer ")).toBe(true);
          expect(header.endsWith(token)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("for any mix of sources and options, at most one credential is ever accepted", () => {
    fc.assert(
      fc.property(anySources, anyOptions, (input, options) => {
        let token: string | undefined;
        try {
          token = extractBearer(input, options);
        } catch (error) {
          expect(error).toBeInstanceOf(TokenError);
          expect((error as TokenError).code).toBe("invalid_request");
          return;
        }
        const bearerHeaders = input.authorization.filter((value) => /^bearer( |$)/i.test(value));
        const count = bearerHeaders.length + input.queryTokens.length + input.bodyTokens.length;
        expect(count).toBeLessThanOrEqual(1);
        if (input.queryTokens.length > 0) expect(options.allowQueryToken).toBe(true);
        if (input.bodyTokens.length > 0) expect(options.allowBodyToken).toBe(true);
        if (count === 0) expect(token).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("a well-formed single header is accepted whatever the scheme's case and the number of spaces", () => {
    const b64token = fc
      .tuple(fc.string({ unit: fc.constantFrom(..."ABCxyz019-._~+/"), minLength: 1, maxLength: 40 }), fc.nat({ max: 3 }))
      .map(([body, pad]) => body + "=".repeat(pad));
    const scheme = fc
      .array(fc.boolean(), { minLength: 6, maxLength: 6 })
      .map((upper) => [..."bearer"].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));
    fc.assert(
      fc.property(scheme, fc.integer({ min: 1, max: 5 }), b64token, (name, spaces, token) => {
        expect(extractBearer(sources({ authorization: [`${name}${" ".repeat(spaces)}${token}`] }), OFF)).toBe(token);
      }),
    );
  });
});

describe("extractBearer: separators and parameter syntax", () => {
  it("refuses a tab between Bearer and the token as invalid_request (RFC 6750 §2.1: 1*SP)", () => {
    expect(outcome({ authorization: [`Bearer\t${TOKEN}`] })).toBe("invalid_request");
  });

  it("refuses an empty or ill-formed access_token parameter as invalid_request, even where query tokens are allowed", () => {
    expect(outcome({ queryTokens: [""] }, ON)).toBe("invalid_request");
    expect(outcome({ queryTokens: ["a b"] }, ON)).toBe("invalid_request");
    expect(outcome({ bodyTokens: ['"quoted"'] }, ON)).toBe("invalid_request");
    expect(outcome({ queryTokens: [TOKEN] }, ON)).toBe(`ok:${TOKEN}`);
  });
});
