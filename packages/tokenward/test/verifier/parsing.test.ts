import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier } from "../../src/index.js";
import { expectRefused, NOW, segment, signRaw, signSegments } from "../helpers/attack.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

// Strict compact JWS parsing: RFC 7515 §7.1 (three base64url segments),
// §2 (base64url without padding or whitespace), §5.2 (UTF-8 JSON header,
// critical extensions), RFC 7519 §7.2 (the claims set is a JSON object).

let key: TestKey;
let verifier: Verifier;
let token: string;
let header: string;
let payload: string;
let signature: string;

function malformed(input: unknown, ...hint: (string | RegExp)[]) {
  return expectRefused(verifier.verify(input as string), "token_malformed", hint);
}

/** The JSON of `fields`, grown until its length is not a multiple of 3, so its base64 has padding and unused trailing bits. */
function unaligned(fields: Record<string, unknown>): string {
  let json = JSON.stringify(fields);
  for (let pad = ""; json.length % 3 === 0; pad += "x") json = JSON.stringify({ ...fields, pad });
  return json;
}

beforeAll(async () => {
  key = await generateKey("ES256");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }], now: () => NOW });
  token = await signToken(key, accessClaims({}, NOW));
  [header = "", payload = "", signature = ""] = token.split(".");
  // The well-formed token passes, so every refusal below is the parser's.
  await verifier.verify(token);
});

describe("parsing: the compact serialization (RFC 7515 §7.1)", () => {
  it("refuses a token with two segments", async () => {
    await malformed(`${header}.${payload}`, "three base64url segments", "fewer");
  });

  it("refuses a token with one segment", async () => {
    await malformed(header, "fewer");
  });

  it("refuses a token with four segments", async () => {
    await malformed(`${token}.${signature}`, "this token has 4");
  });

  it("refuses a five-segment token and says it is a JWE, not a JWS", async () => {
    await malformed(`${header}.${payload}.${signature}.${payload}.${signature}`, "five segments", "JWE");
  });

  it("refuses an empty header segment", async () => {
    await malformed(`.${payload}.${signature}`, "header segment is empty");
  });

  it("refuses an empty payload segment (not a JSON object)", async () => {
    await malformed(`${header}..${signature}`, "payload", "not valid JSON");
  });

  it("refuses a token that still carries the Bearer prefix", async () => {
    await malformed(`Bearer ${token}`, "header", "canonical base64url");
  });
});

describe("parsing: base64url (RFC 7515 §2)", () => {
  it("refuses base64 padding in the header", async () => {
    const padded = Buffer.from(unaligned({ alg: "ES256", kid: key.kid })).toString("base64");
    expect(padded.endsWith("=")).toBe(true);
    await malformed(`${padded}.${payload}.${signature}`, "header is not canonical base64url", "padding");
  });

  it("refuses padding appended to the signature", async () => {
    await malformed(`${token}==`, "signature is not canonical base64url");
  });

  it("refuses padding appended to the payload", async () => {
    await malformed(`${header}.${payload}=.${signature}`, "payload", "canonical base64url");
  });

  for (const [name, inserted] of [
    ["a space", " "],
    ["a newline", "\n"],
    ["a carriage return and line feed", "\r\n"],
    ["a tab", "\t"],
  ] as const) {
    it(`refuses ${name} inside the payload`, async () => {
      await malformed(`${header}.${payload.slice(0, 10)}${inserted}${payload.slice(10)}.${signature}`, "payload", "canonical base64url");
    });
  }

  it("refuses surrounding whitespace around the whole token", async () => {
    await malformed(` ${token}`, "header");
    await malformed(`${token}\n`, "signature");
  });

  it("refuses the standard base64 alphabet ('+' and '/') in place of base64url", async () => {
    await malformed(`+${header.slice(1)}.${payload}.${signature}`, "header", "canonical base64url");
    await malformed(`${header}.${payload}.${signature.slice(0, -1)}/`, "signature", "canonical base64url");
  });

  it("refuses characters outside any base64 alphabet", async () => {
    await malformed(`${header}.${payload.slice(0, -1)}%.${signature}`, "payload");
    await malformed(`${header}.${payload}.${signature.slice(0, -1)}\u00e9`, "signature");
  });

  it("refuses a segment of impossible length (4n+1 characters)", async () => {
    const length = signature.length % 4;
    const extra = length === 0 ? "A" : "AAAA".slice(0, (5 - length) % 4);
    const impossible = `${signature}${extra}`;
    expect(impossible.length % 4).toBe(1);
    await malformed(`${header}.${payload}.${impossible}`, "signature");
  });

  it("refuses a second spelling of a valid signature with non-zero trailing bits (RFC 4648 §3.5), although it decodes to the same bytes", async () => {
    // 64 bytes of R || S are 86 characters: the last one carries 4 unused bits.
    expect(signature.length % 4).toBe(2);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1) ?? "");
    const twin = `${signature.slice(0, -1)}${alphabet[last | 1]}`;
    expect(twin).not.toBe(signature);
    expect(Buffer.from(twin, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    await malformed(`${header}.${payload}.${twin}`, "signature is not canonical base64url");
  });

  it("refuses non-canonical trailing bits in the header", async () => {
    const canonical = segment(unaligned({ alg: "ES256", kid: key.kid }));
    const rest = canonical.length % 4;
    expect(rest).not.toBe(0);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(canonical.at(-1) ?? "");
    const twin = `${canonical.slice(0, -1)}${alphabet[last | 1]}`;
    expect(Buffer.from(twin, "base64url")).toEqual(Buffer.from(canonical, "base64url"));
    await malformed(`${twin}.${payload}.${signature}`, "header is not canonical base64url");
  });
});

describe("parsing: JSON objects in UTF-8 (RFC 7515 §5.2, RFC 7519 §7.2)", () => {
  it("refuses a header that is not JSON", async () => {
    await malformed(`${segment("{alg: ES256}")}.${payload}.${signature}`, "header is not valid JSON");
  });

  it("refuses a payload that is not JSON", async () => {
    await malformed(signSegments(key.privateKey, "ES256", header, segment("iss=https://issuer.example.com")), "payload", "not valid JSON");
  });

  for (const [name, json] of [
    ["an array", "[]"],
    ["a string", '"ES256"'],
    ["null", "null"],
    ["a number", "42"],
    ["true", "true"],
  ] as const) {
    it(`refuses a header that is ${name}, not a JSON object`, async () => {
      await malformed(`${segment(json)}.${payload}.${signature}`, "header is not a JSON object");
    });

    it(`refuses a signed payload that is ${name}, not a JSON object`, async () => {
      await malformed(signSegments(key.privateKey, "ES256", header, segment(json)), "payload", "not a JSON object");
    });
  }

  for (const [name, bytes] of [
    ["a stray 0xFF byte", [0x7b, 0x22, 0x61, 0x6c, 0x67, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]],
    ["an overlong encoding of '/'", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]],
    ["an encoded UTF-16 surrogate", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]],
    ["a truncated multi-byte sequence", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]],
  ] as const) {
    it(`refuses a header with invalid UTF-8: ${name}`, async () => {
      await malformed(`${Buffer.from(bytes).toString("base64url")}.${payload}.${signature}`, "header is not valid UTF-8");
    });
  }

  it("refuses a signed payload with invalid UTF-8 instead of replacing it with U+FFFD", async () => {
    const claims = Buffer.concat([Buffer.from(JSON.stringify(accessClaims({}, NOW)).slice(0, -1)), Buffer.from(',"name":"\xff"}', "latin1")]);
    await malformed(signSegments(key.privateKey, "ES256", header, claims.toString("base64url")), "payload", "not valid UTF-8");
  });

  it("reads duplicate header members as the lexically last one (RFC 7515 §5.2), so a trailing alg none is refused", async () => {
    const forged = signSegments(key.privateKey, "ES256", segment(`{"alg":"ES256","kid":"${key.kid}","alg":"none"}`), payload);
    await expectRefused(verifier.verify(forged), "algorithm_not_allowed", ['"none"']);
  });

  it("does not let a __proto__ member of the payload supply claims through the prototype", async () => {
    const { iss, ...rest } = accessClaims({}, NOW);
    const raw = JSON.stringify({ ...rest, ["__proto__"]: { iss } });
    expect(raw).toContain('"__proto__"');
    const forged = signRaw(key.privateKey, { alg: "ES256", kid: key.kid }, raw);
    await expectRefused(verifier.verify(forged), "issuer_untrusted", ['no "iss"']);
  });
});

describe("parsing: size and type of the input", () => {
  it("refuses a token over maxTokenBytes before parsing it", async () => {
    const small = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }], maxTokenBytes: 100, now: () => NOW });
    await expectRefused(small.verify("x".repeat(101)), "token_malformed", ["101 bytes", "limit of 100", "maxTokenBytes"]);
    await expectRefused(small.verify(token), "token_malformed", [`${token.length} bytes`, "limit of 100"]);
  });

  it("accepts a token of exactly maxTokenBytes and refuses one byte less of allowance", async () => {
    const exact = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }], maxTokenBytes: token.length, now: () => NOW });
    await expect(exact.verify(token)).resolves.toMatchObject({ subject: "user-1" });
    const tight = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }], maxTokenBytes: token.length - 1, now: () => NOW });
    await expectRefused(tight.verify(token), "token_malformed", ["maxTokenBytes"]);
  });

  it("refuses a huge token with the default limit (16 KiB) without reading it", async () => {
    const huge = `${header}.${"A".repeat(20_000)}.${signature}`;
    await malformed(huge, "limit of 16384");
  });

  for (const input of [undefined, null, ""]) {
    it(`answers token_missing for ${JSON.stringify(input) ?? "undefined"}`, async () => {
      await expectRefused(verifier.verify(input as unknown as string), "token_missing", ["without a token"]);
    });
  }

  for (const [name, input] of [
    ["a number", 42],
    ["an object", { token: "x" }],
    ["an array", ["a", "b", "c"]],
    ["a Buffer", Buffer.from("a.b.c")],
  ] as const) {
    it(`refuses ${name} in place of a string`, async () => {
      await malformed(input, "not a string");
    });
  }
});

describe("parsing: header parameters (RFC 7515 §4.1)", () => {
  function withHeader(fields: Record<string, unknown>): string {
    return signRaw(key.privateKey, { alg: "ES256", kid: key.kid, typ: "at+jwt", ...fields }, accessClaims({}, NOW));
  }

  it("accepts a hand-signed header with the usual fields (the control case)", async () => {
    await expect(verifier.verify(withHeader({}))).resolves.toMatchObject({ subject: "user-1" });
  });

  it("refuses a critical extension it does not understand (RFC 7515 §4.1.11), even correctly signed", async () => {
    await malformed(withHeader({ crit: ["exp"], exp: NOW + 60 }), "critical", '["exp"]');
  });

  it("refuses crit even when empty or malformed", async () => {
    await malformed(withHeader({ crit: [] }), "critical");
    await malformed(withHeader({ crit: "b64" }), "critical");
  });

  it("refuses an unencoded payload (b64: false, RFC 7797)", async () => {
    await malformed(withHeader({ b64: false }), '"b64"', "RFC 7797");
  });

  it("refuses b64 of any value other than true", async () => {
    await malformed(withHeader({ b64: "false" }), '"b64"');
    await malformed(withHeader({ b64: 0 }), '"b64"');
  });

  for (const kid of [7, null, ["k"], { id: "k" }, true]) {
    it(`refuses a non-string kid: ${JSON.stringify(kid)} (RFC 7515 §4.1.4)`, async () => {
      await malformed(withHeader({ kid }), '"kid" is not a string');
    });
  }

  for (const typ of [1, null, ["JWT"], { type: "JWT" }]) {
    it(`refuses a non-string typ: ${JSON.stringify(typ)} (RFC 7515 §4.1.9)`, async () => {
      await malformed(withHeader({ typ }), '"typ" is not a string');
    });
  }

  it("refuses a header without alg (RFC 7515 §4.1.1)", async () => {
    const forged = signSegments(key.privateKey, "ES256", segment({ kid: key.kid, typ: "JWT" }), payload);
    await malformed(forged, 'no "alg"', "RFC 7515 §4.1.1");
  });

  for (const alg of ["", 256, null, ["ES256"]]) {
    it(`refuses an alg that is not a non-empty string: ${JSON.stringify(alg)}`, async () => {
      const forged = signSegments(key.privateKey, "ES256", segment({ alg, kid: key.kid }), payload);
      await malformed(forged, 'no "alg"');
    });
  }
});
