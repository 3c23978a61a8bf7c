// The mock's own API: options and their errors, mint's defaults and
// overrides, keys you bring, and the lifecycle (port, close, await using).
import { generateKeyPairSync } from "node:crypto";
import { exportJWK, exportPKCS8, generateKeyPair } from "jose";
import { createVerifier } from "tokenward";
import { describe, expect, it } from "vitest";
import { createMockIssuer, type MockIssuerError, type MockIssuerOptions } from "../src/index.js";
import { decode, refusedWith } from "./helpers.js";

async function failure(run: () => unknown): Promise<MockIssuerError> {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(error instanceof Error) || error.name !== "MockIssuerError") throw new Error(`expected a MockIssuerError, got ${String(error)}`);
  return error as MockIssuerError;
}

describe("options", () => {
  const bad: [string, unknown, RegExp][] = [
    ["port", { port: 70000 }, /^port: /],
    ["path without a slash", { path: "realms/demo" }, /^path: /],
    ["path with a query", { path: "/a?b" }, /^path: /],
    ["path with a space", { path: "/a b" }, /^path: /],
    ["path with dot segments", { path: "/a/../b" }, /^path: /],
    ["audience", { audience: "" }, /^audience: /],
    ["an unknown algorithm", { algorithms: ["HS256"] }, /^algorithms\[0\]: /],
    ["no algorithm", { algorithms: [] }, /^algorithms: /],
    ["both algorithms and keys", { algorithms: ["RS256"], keys: [] }, /^algorithms: /],
    ["a client without secret", { clients: [{ clientId: "a" }] }, /^clients\[0\]\.clientSecret: /],
    ["an empty client list", { clients: [] }, /^clients: /],
    [
      "two clients with one id",
      {
        clients: [
          { clientId: "a", clientSecret: "x" },
          { clientId: "a", clientSecret: "y" },
        ],
      },
      /^clients: /,
    ],
    ["a bad scope", { clients: [{ clientId: "a", clientSecret: "x", scopes: ["a b"] }] }, /^clients\[0\]\.scopes\[0\]: /],
    ["tokenLifetime", { tokenLifetime: 0 }, /^tokenLifetime: /],
    ["jwksMaxAge", { jwksMaxAge: 1.5 }, /^jwksMaxAge: /],
    ["preset", { preset: "google" }, /^preset: /],
    ["a misspelt option", { audiences: ["x"] }, /^audiences: is not an option/],
  ];
  for (const [name, options, message] of bad) {
    it(`refuses ${name}, naming the option`, async () => {
      const error = await failure(() => createMockIssuer(options as MockIssuerOptions));
      expect(error.code).toBe("invalid_option");
      expect(error.message).toMatch(message);
    });
  }

  it("listens on the port asked for, and says when it is taken", async () => {
    const probe = await createMockIssuer();
    const port = probe.port;
    await probe.close();
    await using issuer = await createMockIssuer({ port });
    expect(issuer.url).toBe(`http://127.0.0.1:${port}`);
    const error = await failure(() => createMockIssuer({ port }));
    expect(error.code).toBe("listen_failed");
    expect(error.option).toBe("port");
    expect(error.message).toContain(`port ${port} on 127.0.0.1 is in use`);
  });
});

describe("mint", () => {
  it("defaults: RFC 9068 claims, one-hour lifetime, a fresh jti each time", async () => {
    await using issuer = await createMockIssuer({ now: () => 1_800_000_000 });
    const a = decode(await issuer.mint());
    const b = decode(await issuer.mint());
    expect(a.header).toEqual({ alg: "RS256", typ: "at+jwt", kid: issuer.jwks().keys[0]?.kid });
    expect(a.payload).toEqual({
      iss: issuer.issuer,
      sub: "mock-user",
      aud: "https://api.example.test",
      iat: 1_800_000_000,
      exp: 1_800_003_600,
      jti: expect.any(String),
      client_id: "test-client",
    });
    expect(a.payload.jti).not.toBe(b.payload.jti);
  });

  it("claims override and remove (undefined); expiresIn; typ; header members", async () => {
    await using issuer = await createMockIssuer({ tokenLifetime: 600 });
    const { header, payload } = decode(
      await issuer.mint(
        { sub: "svc", aud: ["a", "b"], jti: undefined, iat: 1000, nested: { x: [1, 2] } },
        { expiresIn: 30, typ: "JWT", header: { kid: "another", cty: "x", typ: undefined } },
      ),
    );
    expect(payload).toMatchObject({ sub: "svc", aud: ["a", "b"], iat: 1000, exp: 1030, nested: { x: [1, 2] } });
    expect(payload).not.toHaveProperty("jti");
    expect(header).toEqual({ alg: "RS256", kid: "another", cty: "x" });
    expect(decode(await issuer.mint({}, { typ: null })).header).not.toHaveProperty("typ");
    const lifetime = decode(await issuer.mint()).payload;
    expect((lifetime.exp as number) - (lifetime.iat as number)).toBe(600);
  });

  it("a negative expiresIn mints an expired token; an exp claim wins over expiresIn", async () => {
    await using issuer = await createMockIssuer();
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    await refusedWith(verifier.verify(await issuer.mint({}, { expiresIn: -60 })), "token_expired");
    expect(decode(await issuer.mint({ exp: 42 }, { expiresIn: 100 })).payload.exp).toBe(42);
  });

  it("headers a verifier must never act on: jku is not fetched, crit is refused", async () => {
    await using issuer = await createMockIssuer();
    await using attacker = await createMockIssuer();
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    await verifier.verify(await issuer.mint({}, { header: { jku: attacker.jwksUri, x5u: attacker.jwksUri } }));
    expect(attacker.requestCounts().jwks).toBe(0);
    await refusedWith(verifier.verify(await issuer.mint({}, { header: { crit: ["exp"], exp: 1 } })), "token_malformed");
  });

  it("a header alg that does not fit the key is a signing_failed error that says what to do; none and HS256 point to mintInvalid", async () => {
    await using issuer = await createMockIssuer({ algorithms: ["ES256"] });
    const mismatch = await failure(() => issuer.mint({}, { header: { alg: "RS256" } }));
    expect(mismatch.code).toBe("signing_failed");
    expect(mismatch.message).toContain("algorithms");
    for (const alg of ["none", "HS256"]) {
      const error = await failure(() => issuer.mint({}, { header: { alg } }));
      expect(error.message).toContain("mintInvalid");
    }
  });

  it("refuses bad arguments with the option named", async () => {
    await using issuer = await createMockIssuer();
    const cases: [() => unknown, RegExp][] = [
      [() => issuer.mint([] as never), /^mint: claims must be an object/],
      [() => issuer.mint({}, { expiresIn: "1h" as never }), /^mint\.expiresIn: /],
      [() => issuer.mint({}, { scopes: ["a b"] }), /^mint\.scopes: /],
      [() => issuer.mint({}, { audience: "x" } as never), /^mint\.audience: is not an option/],
      [() => issuer.mint({ big: 10n }), /cannot be serialized as JSON/],
      [() => issuer.mintInvalid("weird" as never), /^mintInvalid: /],
      [() => issuer.mintOpaque({}, { header: {} } as never), /^mintOpaque\.header: /],
    ];
    for (const [run, message] of cases) expect((await failure(run)).message).toMatch(message);
  });
});

describe("keys you bring", () => {
  it("a private JWK (kid kept), a PKCS#8 PEM, a KeyObject and an extractable CryptoKey", async () => {
    const rsa = await generateKeyPair("RS256", { extractable: true });
    const ec = await generateKeyPair("ES384", { extractable: true });
    const ed = generateKeyPairSync("ed25519");
    const ps = await generateKeyPair("PS256", { extractable: true });
    await using issuer = await createMockIssuer({
      keys: [
        { alg: "RS256", privateKey: { ...(await exportJWK(rsa.privateKey)), kid: "ignored" }, kid: "rsa-1" },
        { alg: "ES384", privateKey: await exportPKCS8(ec.privateKey) },
        { alg: "EdDSA", privateKey: ed.privateKey, kid: "ed-1" },
        { alg: "PS256", privateKey: ps.privateKey },
      ],
    });
    expect(issuer.jwks().keys.map((key) => [key.alg, key.kid.length > 0])).toEqual([
      ["RS256", true],
      ["ES384", true],
      ["EdDSA", true],
      ["PS256", true],
    ]);
    expect(issuer.jwks().keys[0]?.kid).toBe("rsa-1");
    const verifier = createVerifier({ issuers: [issuer.policy()] });
    for (const algorithm of ["RS256", "ES384", "EdDSA", "PS256"] as const) {
      expect((await verifier.verify(await issuer.mint({}, { algorithm }))).header.alg).toBe(algorithm);
    }
    expect(JSON.stringify(issuer.jwks())).not.toMatch(/"d":/);
  });

  it("refuses a public key, a weak RSA key, a key that does not fit its alg, a non-extractable CryptoKey, and never prints the key", async () => {
    const ec = await generateKeyPair("ES256", { extractable: true });
    const privateJwk = await exportJWK(ec.privateKey);
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const sealed = await generateKeyPair("ES256");
    const cases: [unknown, RegExp][] = [
      [{ alg: "ES256", privateKey: await exportJWK(ec.publicKey) }, /public JWK/],
      [{ alg: "RS256", privateKey: weak.privateKey }, /under 2048 bits/],
      [{ alg: "RS256", privateKey: privateJwk }, /cannot sign RS256/],
      [{ alg: "ES256", privateKey: sealed.privateKey }, /non-extractable/],
      [{ alg: "ES256", privateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" }, /PKCS#8/],
      [{ alg: "ES256", privateKey: 42 }, /must be a private JWK/],
    ];
    for (const [key, message] of cases) {
      const error = await failure(() => createMockIssuer({ keys: [key as never] }));
      expect(error.message).toMatch(message);
      expect(error.option).toMatch(/^keys\[0\]/);
      expect(error.message).not.toContain(String(privateJwk.d));
    }
  });
});

describe("lifecycle", () => {
  it("close() is idempotent and frees the port; await using closes at the end of the scope", async () => {
    const issuer = await createMockIssuer();
    await issuer.close();
    await issuer.close();
    await expect(fetch(issuer.jwksUri)).rejects.toThrow();
    let url = "";
    {
      await using scoped = await createMockIssuer();
      url = scoped.jwksUri;
      expect((await fetch(url)).status).toBe(200);
    }
    await expect(fetch(url)).rejects.toThrow();
  });

  it("close() while a slow answer is pending ends it at once", async () => {
    const issuer = await createMockIssuer();
    issuer.fault("jwks", { kind: "delay", ms: 60_000 });
    const pending = fetch(issuer.jwksUri).then(
      () => "answered",
      () => "dropped",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await issuer.close();
    expect(await pending).toBe("dropped");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("down() and up() after close are errors; reset() on a closed issuer too", async () => {
    const issuer = await createMockIssuer();
    await issuer.close();
    expect((await failure(() => issuer.down())).code).toBe("closed");
    expect((await failure(() => issuer.up())).code).toBe("closed");
    expect((await failure(() => issuer.reset())).code).toBe("closed");
  });

  it("policy() merges what you add", async () => {
    await using issuer = await createMockIssuer({ audience: "api://x" });
    expect(issuer.policy({ clockTolerance: 0, requiredClaims: ["scope"] })).toEqual({
      issuer: issuer.issuer,
      audience: "api://x",
      jwksUri: issuer.jwksUri,
      clockTolerance: 0,
      requiredClaims: ["scope"],
    });
  });
});
