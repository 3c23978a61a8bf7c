// Property tests of the identity provider role over real HTTP: arbitrary
// token exchange parameters (valid, mutated and random subject tokens, token
// types, audiences, resources, scopes, stray parameters, each client
// authentication) never produce a 5xx, every refusal is an RFC 6749 §5.2
// object, and an answer of 200 is always an ID-JAG the policy allows.
// Arbitrary authorization requests and sign-in forms never produce a 5xx
// nor a redirect to an unregistered URI.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, payloadOf, postForm, type RunningIssuer } from "../../helpers/issuer.js";
import {
  ALICE,
  CHAT_API,
  CLIENT_SECRET,
  FILES_API,
  ID_JAG_TYPE,
  ID_TOKEN_TYPE,
  idTokenFor,
  OTHER,
  OTHER_AS,
  pkce,
  startIdp,
  TARGET_AS,
  TOKEN_EXCHANGE,
  WIKI,
} from "../../helpers/xaa-idp.js";

const ERRORS = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "invalid_scope",
  "invalid_target",
  "unsupported_grant_type",
]);
const ALLOWED: Readonly<Record<string, { clientId: string; resources: string[]; scopes: string[] }>> = {
  [TARGET_AS]: { clientId: "wiki-at-as", resources: [CHAT_API, FILES_API], scopes: ["chat.read", "chat.history", "files.read"] },
  [OTHER_AS]: { clientId: "wiki-at-other", resources: [], scopes: [] },
};

let running: RunningIssuer;
let idToken: string;
let otherIdToken: string;
beforeAll(async () => {
  running = await startIdp({ configure: (config) => (config.rateLimit = { perClientPerMinute: 0 }) });
  [idToken, otherIdToken] = await Promise.all([idTokenFor(running), idTokenFor(running, { clientId: OTHER.clientId })]);
});
afterAll(async () => {
  await running.close();
});

function mutate(token: string, at: number, character: string): string {
  const index = at % token.length;
  return `${token.slice(0, index)}${character}${token.slice(index + 1)}`;
}

// Mostly what a correct client sends, so that answers of 200 are common too; otherwise anything.
const usually = <T, U>(good: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: other, weight: 1 });
const absent = fc.constant(undefined);
const subjectToken = fc.oneof(
  fc.constant("OTHER"),
  fc.tuple(fc.nat(), fc.constantFrom("A", "_", "-", ".", "=")).map(([at, character]) => `MUTATE:${at}:${character}`),
  fc.string({ maxLength: 60 }),
  fc.constant(undefined),
);
const scope = fc
  .array(fc.constantFrom("chat.read", "chat.history", "files.read", "admin", "openid", "x\\y", "é"), { maxLength: 4 })
  .map((scopes) => scopes.join(" "));

const exchangeRequest = fc.record({
  requested_token_type: usually(fc.constant(ID_JAG_TYPE), fc.constantFrom("urn:ietf:params:oauth:token-type:access_token", "id-jag", "", undefined)),
  subject_token: usually(fc.constant("ID"), subjectToken),
  subject_token_type: usually(fc.constant(ID_TOKEN_TYPE), fc.constantFrom("urn:ietf:params:oauth:token-type:jwt", "", undefined)),
  audience: usually(
    fc.constantFrom(TARGET_AS, OTHER_AS),
    fc.oneof(fc.constantFrom(`${TARGET_AS}/`, "SELF", "https://evil.example", undefined), fc.string({ maxLength: 30 })),
  ),
  resource: usually(
    fc.constantFrom(CHAT_API, FILES_API, undefined),
    fc.oneof(fc.constantFrom("https://api.evil.example/", "urn:x", "a#b"), fc.string({ maxLength: 30 })),
  ),
  scope: usually(fc.option(scope, { nil: undefined }), fc.string({ maxLength: 30 })),
  actor_token: usually(absent, fc.constantFrom("x", "ID")),
  authorization_details: usually(absent, fc.constantFrom("[]", "not json")),
  extra: usually(absent, fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }))),
  auth: usually(fc.constantFrom("basic", "post", "raw-basic"), fc.constantFrom("wrong", "none", "other-client")),
});

describe("token exchange parameters", () => {
  it("never produce a 5xx; a 200 is always an ID-JAG within the policy", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(exchangeRequest, async (request) => {
        const body: Record<string, string> = { grant_type: TOKEN_EXCHANGE };
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request)) {
          if (name === "auth" || name === "extra" || value === undefined) continue;
          let text = value as string;
          if (text === "ID") text = idToken;
          else if (text === "OTHER") text = otherIdToken;
          else if (text === "SELF") text = running.issuerId;
          else if (text.startsWith("MUTATE:")) {
            const [, at, character] = text.split(":");
            text = mutate(idToken, Number(at), character ?? "A");
          }
          body[name] = text;
        }
        if (request.extra !== undefined && !(request.extra[0] in body)) body[request.extra[0]] = request.extra[1];
        if (request.auth === "basic") headers.authorization = basic(WIKI.clientId, CLIENT_SECRET);
        else if (request.auth === "raw-basic") headers.authorization = `Basic ${Buffer.from(`${WIKI.clientId}:${CLIENT_SECRET}`).toString("base64")}`;
        else if (request.auth === "wrong") headers.authorization = basic(WIKI.clientId, "wrong");
        else if (request.auth === "other-client") headers.authorization = basic(OTHER.clientId, CLIENT_SECRET);
        else if (request.auth === "post") Object.assign(body, { client_id: WIKI.clientId, client_secret: CLIENT_SECRET });

        const response = await postForm(running.tokenEndpoint, body, headers);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status !== 200) {
          expect(ERRORS.has(answer.error as string), JSON.stringify(answer)).toBe(true);
          expect(typeof answer.error_description).toBe("string");
          return;
        }
        expect(answer.issued_token_type).toBe(ID_JAG_TYPE);
        expect(answer.token_type).toBe("N_A");
        const claims = payloadOf(answer.access_token as string);
        expect(claims.sub).toBe(ALICE.sub);
        const policy = ALLOWED[claims.aud as string];
        expect(policy, `aud ${String(claims.aud)}`).toBeDefined();
        if (policy === undefined) return;
        expect(claims.client_id).toBe(policy.clientId);
        if (claims.resource !== undefined) expect(policy.resources).toContain(claims.resource);
        for (const granted of String(claims.scope ?? "")
          .split(" ")
          .filter(Boolean)) {
          expect(policy.scopes).toContain(granted);
        }
      }),
      { numRuns: 150 },
    );
    // Both sides of the property were exercised.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(5);
    expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThan(1);
  });
});

const authorizeParameter = fc.constantFrom(
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
  "prompt",
  "request",
  "response_mode",
  "username",
  "password",
);
const authorizeValue = fc.oneof(
  fc.constantFrom(
    "code",
    WIKI.clientId,
    WIKI.redirectUri,
    "https://evil.example/cb",
    "openid",
    "S256",
    "plain",
    pkce().challenge,
    ALICE.username,
    ALICE.password,
    "none",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

describe("authorization requests and sign-in forms", () => {
  it("never produce a 5xx, and only ever redirect to a registered redirect URI", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(authorizeParameter, authorizeValue), { maxLength: 10 }), fc.boolean(), async (pairs, post) => {
        const query = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&");
        const url = `${running.issuerId}/oauth/authorize`;
        const response = post
          ? await fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: query })
          : await fetch(`${url}?${query}`, { redirect: "manual" });
        expect(response.status).toBeLessThan(500);
        await response.arrayBuffer();
        const location = response.headers.get("location");
        if (location !== null) {
          expect(response.status).toBe(303);
          expect(location.startsWith(`${WIKI.redirectUri}&`) || location.startsWith("com.example.wiki:/callback?")).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
