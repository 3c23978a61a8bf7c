import { describe, expect, it } from "vitest";
import { refusal } from "../helpers/jwks-faults.js";
import { API, AS_ISSUER, activeAnswer, nowSeconds, opaqueToken, useIntrospectionServer, verifierFor } from "./helpers.js";

// Every answer shape of RFC 7662 §2.2 a server may send, over real HTTP on
// 127.0.0.1: what is accepted, what is refused, and with which code and hint.

const as = useIntrospectionServer();

describe("an active answer becomes the verified token", () => {
  it("claims are the answer's members; scopes, roles, permissions and subject are read as for a JWT", async () => {
    const answer = activeAnswer({ roles: ["admin"], permissions: ["read:reports"], username: "ada" });
    as.current.answer(answer);
    const verified = await verifierFor(as.current.endpoint).verify(opaqueToken());
    expect(verified.claims).toEqual(answer);
    expect(verified.scopes).toEqual(["read:data", "write:data"]);
    expect(verified.roles).toEqual(["admin"]);
    expect(verified.permissions).toEqual(["read:reports"]);
    expect(verified.subject).toBe("user-1");
    expect(verified.issuer.issuer).toBe(AS_ISSUER);
    expect(verified.expiresAt).toBe(answer.exp);
    expect(verified.tenant).toBeUndefined();
    // An opaque token has no JOSE header: a synthetic one no JWS can carry.
    expect(verified.header).toEqual({ alg: "introspection" });
    expect(Object.isFrozen(verified.claims)).toBe(true);
  });

  it("an answer without exp is accepted (RFC 7662 §2.2: optional), and expiresAt is Infinity", async () => {
    as.current.answer(activeAnswer({ exp: undefined }));
    const verified = await verifierFor(as.current.endpoint).verify(opaqueToken());
    expect(verified.expiresAt).toBe(Number.POSITIVE_INFINITY);
  });

  it("aud may be an array holding the API (RFC 7519 §4.1.3)", async () => {
    as.current.answer(activeAnswer({ aud: ["https://other.example.com", API] }));
    await expect(verifierFor(as.current.endpoint).verify(opaqueToken())).resolves.toBeDefined();
  });

  it("without iss, with requireIssuer: false, is accepted", async () => {
    as.current.answer(activeAnswer({ iss: undefined }));
    await expect(verifierFor(as.current.endpoint, { requireIssuer: false }).verify(opaqueToken())).resolves.toBeDefined();
  });

  it("Cognito-style audienceClaim: client_id is checked instead of aud", async () => {
    as.current.answer(activeAnswer({ aud: undefined, client_id: "app-client-1" }));
    const verifier = verifierFor(as.current.endpoint, {}, { audience: "app-client-1", audienceClaim: "client_id" });
    await expect(verifier.verify(opaqueToken())).resolves.toBeDefined();
    as.current.answer(activeAnswer({ aud: undefined, client_id: "another-client" }));
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("audience_mismatch");
  });

  it("dangerouslyAcceptAnyAudience accepts an answer without aud", async () => {
    as.current.answer(activeAnswer({ aud: undefined }));
    const verifier = verifierFor(as.current.endpoint, {}, { audience: undefined, dangerouslyAcceptAnyAudience: true });
    await expect(verifier.verify(opaqueToken())).resolves.toBeDefined();
  });

  it("the policy's claims, requiredClaims and check apply to the answer", async () => {
    as.current.answer(activeAnswer({ tenant: "t-1" }));
    const seen: unknown[] = [];
    const verifier = verifierFor(
      as.current.endpoint,
      {},
      {
        requiredClaims: ["sub"],
        claims: { tenant: "t-1" },
        check: ({ claims, header }) => {
          seen.push([claims.sub, header.alg]);
          return claims.username === "blocked" ? "blocked user" : true;
        },
      },
    );
    await verifier.verify(opaqueToken());
    expect(seen).toEqual([["user-1", "introspection"]]);

    as.current.answer(activeAnswer({ tenant: "t-2" }));
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("claim_invalid");
    as.current.answer(activeAnswer({ sub: undefined, tenant: "t-1" }));
    expect((await refusal(verifier.verify(opaqueToken()))).code).toBe("claim_missing");
    as.current.answer(activeAnswer({ tenant: "t-1", username: "blocked" }));
    const error = await refusal(verifier.verify(opaqueToken()));
    expect(error.code).toBe("claim_invalid");
    expect(error.hint).toBe("blocked user");
  });

  it("kindClaims apply: Cognito's token_use id is refused as type_not_allowed", async () => {
    as.current.answer(activeAnswer({ token_use: "id", token_type: undefined }));
    const error = await refusal(verifierFor(as.current.endpoint, {}, { kindClaims: { token_use: "access" } }).verify(opaqueToken()));
    expect(error.code).toBe("type_not_allowed");
  });
});

describe("inactive and malformed answers", () => {
  it('{"active": false} is token_inactive (401)', async () => {
    as.current.answer({ active: false });
    const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
    expect(error.code).toBe("token_inactive");
    expect(error.status).toBe(401);
    expect(error.hint).toContain(as.current.endpoint);
    expect(error.hint).toContain("RFC 7662 §2.2");
  });

  it("active false wins over every other member (an inactive answer may carry leftovers)", async () => {
    as.current.answer(activeAnswer({ active: false }));
    expect((await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()))).code).toBe("token_inactive");
  });

  for (const active of ["true", 1, null, undefined, {}, [true]]) {
    it(`"active": ${JSON.stringify(active) ?? "absent"} is not a boolean: introspection_unavailable (503), never accepted`, async () => {
      as.current.answer(activeAnswer({ active }));
      const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
      expect(error.code).toBe("introspection_unavailable");
      expect(error.status).toBe(503);
      expect(error.hint).toContain('"active"');
    });
  }

  for (const body of [[], "active", 42, null, true]) {
    it(`a JSON ${JSON.stringify(body)} instead of an object is introspection_unavailable`, async () => {
      if (body === true) as.current.handle((_request, response) => response.writeHead(200).end("true"));
      else as.current.answer(body);
      const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
      expect(error.code).toBe("introspection_unavailable");
      expect(error.hint).toContain("not a JSON object");
    });
  }
});

describe("the answer's iss is checked byte for byte", () => {
  it("a missing iss is issuer_untrusted by default, with the fix in the hint", async () => {
    as.current.answer(activeAnswer({ iss: undefined }));
    const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain('has no "iss"');
    expect(error.hint).toContain("introspection.requireIssuer: false");
  });

  const nearMisses: [string, string][] = [
    [`${AS_ISSUER}/`, "differs only by a trailing slash (the introspection answer has one, the configuration does not)"],
    [AS_ISSUER.replace("https:", "http:"), "differs only by scheme (http in the introspection answer, https configured)"],
    [AS_ISSUER.toUpperCase(), "differs only by letter case"],
  ];
  for (const [iss, why] of nearMisses) {
    it(`iss ${iss} is refused, and the hint says how it differs`, async () => {
      as.current.answer(activeAnswer({ iss }));
      const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
      expect(error.code).toBe("issuer_untrusted");
      expect(error.hint).toContain(why);
    });
  }

  it("another issuer is refused, even with requireIssuer: false", async () => {
    as.current.answer(activeAnswer({ iss: "https://evil.example.com" }));
    const error = await refusal(verifierFor(as.current.endpoint, { requireIssuer: false }).verify(opaqueToken()));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain('"https://evil.example.com"');
  });

  it("a non-string iss is refused", async () => {
    as.current.answer(activeAnswer({ iss: [AS_ISSUER] }));
    expect((await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()))).code).toBe("issuer_untrusted");
  });
});

describe("time claims, with the policy's clock tolerance", () => {
  it("an expired answer is token_expired", async () => {
    const now = nowSeconds();
    as.current.answer(activeAnswer({ iat: now - 600, exp: now - 60 }));
    const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
    expect(error.code).toBe("token_expired");
    expect(error.hint).toContain("expired");
  });

  it("exp within the clock tolerance is accepted; beyond it, refused", async () => {
    const now = 1_800_000_000;
    as.current.answer(activeAnswer({ iat: now - 600, exp: now - 20 }, now));
    const lenient = verifierFor(as.current.endpoint, { cache: false }, { clockTolerance: 30 }, { now: () => now });
    await expect(lenient.verify(opaqueToken())).resolves.toBeDefined();
    const strict = verifierFor(as.current.endpoint, { cache: false }, { clockTolerance: 10 }, { now: () => now });
    expect((await refusal(strict.verify(opaqueToken()))).code).toBe("token_expired");
  });

  it("nbf in the future is token_not_yet_valid", async () => {
    as.current.answer(activeAnswer({ nbf: nowSeconds() + 120 }));
    expect((await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()))).code).toBe("token_not_yet_valid");
  });

  it("a non-numeric exp is claim_invalid", async () => {
    as.current.answer(activeAnswer({ exp: "tomorrow" }));
    expect((await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()))).code).toBe("claim_invalid");
  });

  it("maxTokenAge needs iat, and bounds it", async () => {
    as.current.answer(activeAnswer({ iat: undefined }));
    expect((await refusal(verifierFor(as.current.endpoint, {}, { maxTokenAge: 60 }).verify(opaqueToken()))).code).toBe("claim_missing");
    as.current.answer(activeAnswer({ iat: nowSeconds() - 3600 }));
    expect((await refusal(verifierFor(as.current.endpoint, {}, { maxTokenAge: 60 }).verify(opaqueToken()))).code).toBe("token_expired");
  });
});

describe("audience", () => {
  it("a wrong aud is audience_mismatch", async () => {
    as.current.answer(activeAnswer({ aud: "https://other-api.example.com" }));
    const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
    expect(error.code).toBe("audience_mismatch");
    expect(error.hint).toContain("https://other-api.example.com");
  });

  it("a missing aud is audience_mismatch (as for a JWT: the policy names the API's audience)", async () => {
    as.current.answer(activeAnswer({ aud: undefined }));
    expect((await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()))).code).toBe("audience_mismatch");
  });
});

describe("the answer must describe an access token", () => {
  const others: [string, string][] = [
    ["token_type", "refresh_token"],
    ["token_type", "urn:ietf:params:oauth:token-type:refresh_token"],
    ["token_type", "urn:ietf:params:oauth:token-type:id_token"],
    ["token_type", "ID_TOKEN"],
    ["token_use", "refresh_token"],
    ["typ", "Refresh"],
    ["typ", "Offline"],
    ["typ", "ID"],
  ];
  for (const [member, value] of others) {
    it(`${member}: ${value} is type_not_allowed`, async () => {
      as.current.answer(activeAnswer({ [member]: value }));
      const error = await refusal(verifierFor(as.current.endpoint).verify(opaqueToken()));
      expect(error.code).toBe("type_not_allowed");
      expect(error.hint).toContain(value);
    });
  }

  for (const tokenType of ["Bearer", "bearer", "access_token", "urn:ietf:params:oauth:token-type:access_token"]) {
    it(`token_type ${tokenType} is accepted`, async () => {
      as.current.answer(activeAnswer({ token_type: tokenType, typ: "Bearer" }));
      const verified = await verifierFor(as.current.endpoint).verify(opaqueToken());
      expect(verified.claims.token_type).toBe(tokenType);
    });
  }
});
