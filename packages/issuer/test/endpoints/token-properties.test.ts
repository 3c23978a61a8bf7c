// Property tests: arbitrary bodies, content types, headers and parameters at
// the token, introspection and revocation endpoints never produce a 5xx or a
// hang, and every refusal is an RFC 6749 §5.2 error object.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSERTION_TYPE, basic, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

const ERRORS = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "invalid_target",
  "temporarily_unavailable",
]);

let running: RunningIssuer;
beforeAll(async () => {
  running = await startIssuer({
    configure: (config) => {
      // The properties send many requests: the rate limit is not what they test.
      config.rateLimit = { perClientPerMinute: 0 };
    },
  });
});
afterAll(async () => {
  await running.close();
});

const PARAM_NAMES = [
  "grant_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "scope",
  "resource",
  "audience",
  "token",
  "token_type_hint",
  "assertion",
];

const paramValue = fc.oneof(
  fc.string(),
  fc.constantFrom("client_credentials", SECRET_CLIENT.clientId, SECRET_CLIENT.secret, ASSERTION_TYPE, "read:data", "https://api.example.test", "a.b.c", ""),
  fc.string({ unit: "binary", maxLength: 40 }),
);

const formBody = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 10 })), paramValue), { maxLength: 8 })
  .map((pairs) => pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&"));

const rawBody = fc.oneof(formBody, fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), fc.json(), fc.constant("%ZZ&=&&=%"));

const contentType = fc.option(
  fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "application/x-www-form-urlencoded; charset=latin1",
    "application/json",
    "APPLICATION/JSON; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
  ),
  { nil: undefined },
);

const authorization = fc.option(
  fc.oneof(
    fc.constant(basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret)),
    fc.constant(basic(SECRET_CLIENT.clientId, "wrong")),
    fc.string({ maxLength: 60 }).map((value) => `Basic ${value}`),
    fc.string({ maxLength: 60 }).map((value) => `Basic ${Buffer.from(value).toString("base64")}`),
    fc.string({ maxLength: 60 }).map((value) => `Bearer ${value}`),
    fc.string({ unit: "grapheme-ascii", maxLength: 60 }),
  ),
  { nil: undefined },
);

async function check(path: string, body: string, type: string | undefined, auth: string | undefined): Promise<void> {
  const headers = new Headers();
  if (type !== undefined) headers.set("content-type", type);
  try {
    if (auth !== undefined) headers.set("authorization", auth);
  } catch {
    // A header value fetch itself refuses cannot be sent; the property is about what arrives.
  }
  const response = await running.issuer.fetch(new Request(`${running.origin}${path}`, { method: "POST", headers, body }));
  expect(response.status, `${path} ${type} ${JSON.stringify(body)}`).toBeLessThan(500);
  if (response.status === 200) {
    await response.arrayBuffer();
    return;
  }
  const answer = (await response.json()) as { error?: string; error_description?: string };
  expect(ERRORS.has(answer.error ?? ""), JSON.stringify(answer)).toBe(true);
  expect(typeof answer.error_description).toBe("string");
  // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
  expect(answer.error_description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
  expect(response.headers.get("cache-control")).toBe("no-store");
}

describe("never a 5xx, always an RFC 6749 error", () => {
  for (const path of ["/oauth/token", "/oauth/introspect", "/oauth/revoke"]) {
    it(`${path}: arbitrary bodies, content types and Authorization headers`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBody, contentType, authorization, async (body, type, auth) => {
          await check(path, body, type, auth);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("the same over real HTTP, fewer runs", async () => {
    await fc.assert(
      fc.asyncProperty(formBody, contentType, authorization, async (body, type, auth) => {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers["content-type"] = type;
        if (auth !== undefined && /^[\x20-\x7E]*$/.test(auth)) headers.authorization = auth;
        const response = await fetch(`${running.origin}/oauth/token`, { method: "POST", headers, body });
        expect(response.status).toBeLessThan(500);
        await response.arrayBuffer();
      }),
      { numRuns: 100 },
    );
  });
});
