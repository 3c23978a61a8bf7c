import { beforeAll, describe, expect, it } from "vitest";
import { requireRoles, requireScopes } from "../../src/authz/guards.js";
import { TokenError } from "../../src/errors/token-error.js";
import { authenticateRequest, authorizeRequest, type RequestFacts } from "../../src/http/authenticate.js";
import { type AuthDecision, type AuthOptions, resolveAuthOptions } from "../../src/http/options.js";
import { createVerifier, type Verifier } from "../../src/index.js";
import { AUDIENCE, accessClaims, generateKey, ISSUER, jwksOf, signToken, type TestKey } from "../helpers/keys.js";

let key: TestKey;
let verifier: Verifier;
let token: string;
let expired: string;

beforeAll(async () => {
  key = await generateKey("ES256", "k1");
  verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key) }] });
  token = await signToken(key, accessClaims({ scope: "read:data", roles: ["user"] }));
  const now = Math.floor(Date.now() / 1000);
  expired = await signToken(key, accessClaims({ iat: now - 600, exp: now - 300 }));
});

const facts = (authorization: string[] = [], extra: Partial<RequestFacts> = {}): RequestFacts => ({
  authorization,
  queryTokens: [],
  bodyTokens: [],
  method: "GET",
  path: "/api/x",
  ...extra,
});

const resolve = (options: AuthOptions = {}) => resolveAuthOptions({ verifier, ...options });

describe("authenticateRequest", () => {
  it("accepts a valid token and returns the verified token", async () => {
    const outcome = await authenticateRequest(facts([`Bearer ${token}`]), resolve());
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.auth?.subject).toBe("user-1");
  });

  it("an onDecision that throws changes neither an acceptance nor a refusal", async () => {
    const throwing = () => {
      throw new Error("the logger is down");
    };
    const accepted = await authenticateRequest(facts([`Bearer ${token}`]), resolve({ onDecision: throwing }));
    expect(accepted.ok).toBe(true);
    const refused = await authenticateRequest(facts([`Bearer ${expired}`]), resolve({ onDecision: throwing }));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.response.status).toBe(401);
    expect(!refused.ok && refused.error.code).toBe("token_expired");
    const denied = authorizeRequest(accepted.ok ? accepted.auth : undefined, [requireRoles("admin")], resolve({ onDecision: throwing }), {});
    expect(!denied.ok && denied.response.status).toBe(403);
  });

  it("an optional route without a token is accepted with no auth; the decision has no code and status 200", async () => {
    const decisions: AuthDecision[] = [];
    const outcome = await authenticateRequest(facts(), resolve({ optional: true, onDecision: (d) => decisions.push(d) }));
    expect(outcome).toEqual({ ok: true, auth: undefined });
    expect(decisions).toEqual([expect.objectContaining({ outcome: "accepted", stage: "authentication", code: undefined, status: 200, issuer: undefined })]);
  });

  it("an optional route still refuses two credentials (RFC 6750 §3.1)", async () => {
    const outcome = await authenticateRequest(facts([`Bearer ${token}`], { queryTokens: [token] }), resolve({ optional: true, allowQueryToken: true }));
    expect(!outcome.ok && outcome.error.code).toBe("invalid_request");
  });

  it("runs the options' guards after verification: 403 insufficient_scope with the scopes in the challenge", async () => {
    const outcome = await authenticateRequest(facts([`Bearer ${token}`]), resolve({ guards: [requireScopes(["write:data"])], realm: "data" }));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.response.status).toBe(403);
    expect(outcome.response.headers["www-authenticate"]).toBe(
      'Bearer realm="data", error="insufficient_scope", error_description="The token does not grant the required scope.", scope="write:data"',
    );
  });

  it("a verifier failure that is not a TokenError is not turned into a 401: it rejects for the framework's error handling", async () => {
    const broken: Verifier = { ...verifier, verify: () => Promise.reject(new RangeError("database is on fire")) };
    await expect(authenticateRequest(facts([`Bearer ${token}`]), resolveAuthOptions({ verifier: broken }))).rejects.toThrow(RangeError);
  });

  it("a guard that throws something else than a TokenError propagates it", async () => {
    const buggy = () => {
      throw new TypeError("guard bug");
    };
    await expect(authenticateRequest(facts([`Bearer ${token}`]), resolve({ guards: [buggy] }))).rejects.toThrow(TypeError);
    expect(() => authorizeRequest(undefined, [], resolve(), {})).not.toThrow();
  });

  it("reports the decision with method and path, the hint and the issuer, never the token", async () => {
    const decisions: AuthDecision[] = [];
    const options = resolve({ onDecision: (d) => decisions.push(d) });
    await authenticateRequest(facts([`Bearer ${token}`], { method: "POST", path: "/api/data" }), options);
    await authenticateRequest(facts([`Bearer ${expired}`]), options);
    expect(decisions[0]).toMatchObject({ outcome: "accepted", issuer: ISSUER, method: "POST", path: "/api/data", code: undefined, hint: undefined });
    expect(decisions[1]).toMatchObject({ outcome: "rejected", code: "token_expired", status: 401, issuer: undefined });
    expect(decisions[1]?.hint).toEqual(expect.any(String));
    const text = JSON.stringify(decisions);
    for (const value of [token, expired]) expect(text).not.toContain(value.split(".")[2]);
  });
});

describe("authorizeRequest", () => {
  it("without an authenticated token answers 401 token_missing with a bare challenge", () => {
    const decisions: AuthDecision[] = [];
    const outcome = authorizeRequest(
      undefined,
      [requireScopes("read:data")],
      { realm: "guarded", resourceMetadata: undefined, onDecision: (d) => decisions.push(d) },
      {
        method: "GET",
        path: "/x",
      },
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(TokenError.is(outcome.error)).toBe(true);
    expect(outcome.response.status).toBe(401);
    expect(outcome.response.headers["www-authenticate"]).toBe('Bearer realm="guarded"');
    expect(decisions).toEqual([expect.objectContaining({ stage: "authorization", code: "token_missing", status: 401, path: "/x" })]);
  });

  it("runs every guard: the first failure is the answer", async () => {
    const outcome = await authenticateRequest(facts([`Bearer ${token}`]), resolve());
    const auth = outcome.ok ? outcome.auth : undefined;
    const refused = authorizeRequest(auth, [requireScopes("read:data"), requireRoles("admin"), requireScopes("write:data")], resolve(), {});
    expect(!refused.ok && refused.error.code).toBe("access_denied");
    expect(authorizeRequest(auth, [requireScopes("read:data"), requireRoles("user")], resolve(), {}).ok).toBe(true);
  });
});
