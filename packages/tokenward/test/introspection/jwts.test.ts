import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IntrospectionOptions, type IssuerPolicy, type VerifierOptions } from "../../src/index.js";
import { refusal } from "../helpers/jwks-faults.js";
import { generateKey, jwksOf, signToken, type TestKey } from "../helpers/keys.js";
import { API, AS_ISSUER, activeAnswer, CLIENT_ID, CLIENT_SECRET, useIntrospectionServer } from "./helpers.js";

// introspectJwts: a JWT is verified in full first (signature, times,
// audience), then its issuer's server must still call it active, so a
// revoked JWT is refused within the introspection cache's TTL, also when the
// verified-token cache remembers it.

const as = useIntrospectionServer();
let key: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
  stranger = await generateKey("ES256", "k1");
});

function jwtClaims(now: number, overrides: Record<string, unknown> = {}) {
  return { iss: AS_ISSUER, aud: API, sub: "svc-1", iat: now, exp: now + 600, scope: "read:data", ...overrides };
}

function verifierFor(introspection: Partial<IntrospectionOptions> = {}, policy: Partial<IssuerPolicy> = {}, options: Partial<VerifierOptions> = {}) {
  return createVerifier({
    ...options,
    issuers: [
      {
        issuer: AS_ISSUER,
        audience: API,
        jwks: jwksOf(key),
        ...policy,
        introspection: {
          endpoint: as.current.endpoint,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          opaqueTokens: false,
          introspectJwts: true,
          ...introspection,
        },
      },
    ],
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("a JWT that verified is introspected too", () => {
  it("active: the result is the JWT's (claims and header), after one introspection of the JWT itself", async () => {
    const token = await signToken(key, jwtClaims(nowSeconds()));
    // The answer's members are not the result: a JWT's claims are what was signed.
    as.current.answer(activeAnswer({ sub: "svc-1", extra: "from the answer" }));
    const verified = await verifierFor().verify(token);
    expect(verified.header.alg).toBe("ES256");
    expect(verified.claims.sub).toBe("svc-1");
    expect(verified.claims.extra).toBeUndefined();
    expect(as.current.requests.map((request) => request.params.get("token"))).toEqual([token]);
  });

  it("inactive (revoked): token_inactive", async () => {
    as.current.answer({ active: false });
    const error = await refusal(verifierFor().verify(await signToken(key, jwtClaims(nowSeconds()))));
    expect(error.code).toBe("token_inactive");
  });

  it("the answer's iss is checked: another issuer's answer is issuer_untrusted", async () => {
    as.current.answer(activeAnswer({ iss: `${AS_ISSUER}/` }));
    const error = await refusal(verifierFor().verify(await signToken(key, jwtClaims(nowSeconds()))));
    expect(error.code).toBe("issuer_untrusted");
    expect(error.hint).toContain("trailing slash");
  });

  it("the answer needs no aud of its own: the JWT's aud was checked", async () => {
    as.current.answer(activeAnswer({ aud: undefined }));
    await expect(verifierFor().verify(await signToken(key, jwtClaims(nowSeconds())))).resolves.toBeDefined();
  });

  it("a forged, expired or foreign-audience JWT is refused before any introspection", async () => {
    as.current.answer(activeAnswer());
    const now = nowSeconds();
    const verifier = verifierFor();
    expect((await refusal(verifier.verify(await signToken(stranger, jwtClaims(now))))).code).toBe("signature_invalid");
    expect((await refusal(verifier.verify(await signToken(key, jwtClaims(now, { iat: now - 900, exp: now - 300 }))))).code).toBe("token_expired");
    expect((await refusal(verifier.verify(await signToken(key, jwtClaims(now, { aud: "https://other.example.com" }))))).code).toBe("audience_mismatch");
    expect(as.current.requests).toHaveLength(0);
  });

  it("the policy's own check runs after introspection, and not at all for a revoked token", async () => {
    const checked: string[] = [];
    const verifier = verifierFor({ cache: false }, { check: ({ claims }) => void checked.push(String(claims.sub)) });
    as.current.answer(activeAnswer());
    await verifier.verify(await signToken(key, jwtClaims(nowSeconds())));
    expect(checked).toEqual(["svc-1"]);
    as.current.answer({ active: false });
    await refusal(verifier.verify(await signToken(key, jwtClaims(nowSeconds(), { sub: "revoked" }))));
    expect(checked).toEqual(["svc-1"]);
  });

  it("with the endpoint down, a valid JWT is introspection_unavailable (fail closed)", async () => {
    const endpoint = as.current.endpoint;
    await as.current.server.close();
    const verifier = createVerifier({
      issuers: [
        {
          issuer: AS_ISSUER,
          audience: API,
          jwks: jwksOf(key),
          introspection: { endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, opaqueTokens: false, introspectJwts: true },
        },
      ],
    });
    const error = await refusal(verifier.verify(await signToken(key, jwtClaims(nowSeconds()))));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.status).toBe(503);
  });
});

describe("with the verified-token cache", () => {
  it("a cached JWT is re-confirmed on every hit: from the introspection cache within its TTL, from the server after it", async () => {
    let now = 1_800_000_000;
    const token = await signToken(key, jwtClaims(now));
    as.current.answer(activeAnswer({}, now));
    const verifier = verifierFor({ cache: { maxTtlSeconds: 30 } }, {}, { now: () => now });
    for (let i = 0; i < 5; i++) await verifier.verify(token);
    // Served by the verified-token cache (no signature check), yet still introspected once only.
    expect(verifier.cacheStats().hits).toBeGreaterThan(0);
    expect(as.current.requests).toHaveLength(1);

    now += 30;
    await verifier.verify(token);
    expect(as.current.requests).toHaveLength(2);

    // Revoked at the server: the cached verification no longer suffices once the answer is due again.
    as.current.answer({ active: false });
    now += 29;
    await verifier.verify(token);
    now += 1;
    const hitsBefore = verifier.cacheStats().hits;
    expect((await refusal(verifier.verify(token))).code).toBe("token_inactive");
    expect(verifier.cacheStats().hits).toBe(hitsBefore + 1);
    expect(as.current.requests).toHaveLength(3);
  });

  it("with introspection.cache false, every verification asks the server, cached JWT or not", async () => {
    as.current.answer(activeAnswer());
    const token = await signToken(key, jwtClaims(nowSeconds()));
    const verifier = verifierFor({ cache: false });
    for (let i = 0; i < 4; i++) await verifier.verify(token);
    expect(verifier.cacheStats().hits).toBeGreaterThan(0);
    expect(as.current.requests).toHaveLength(4);
  });
});
