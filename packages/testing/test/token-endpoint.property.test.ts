// Property: whatever a client sends to the token, introspection and
// revocation endpoints (any method, content type, Authorization header, body
// bytes, parameters), the answer is a well-formed 2xx/4xx JSON answer: never a
// 5xx, never a hang, never the client secret.
import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockIssuer, type MockIssuer } from "../src/index.js";

const SECRET = "hunter2-secret-value";
let issuer: MockIssuer;
beforeAll(async () => {
  issuer = await createMockIssuer({ clients: [{ clientId: "svc", clientSecret: SECRET, scopes: ["read", "write"] }] });
});
afterAll(() => issuer.close());

interface Sent {
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function send({ path, method, headers, body }: Sent): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${issuer.url}${path}`, { method, headers: { ...headers, "content-length": String(body.length) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), contentType: response.headers["content-type"] }),
      );
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
// The secret goes only where a secret belongs, so any echo of it is the endpoint's doing.
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("client_credentials", "svc", "read", "read write", "admin", "https://api.example.test", "/rel", ""),
);
const name = fc.oneof(fc.constantFrom("grant_type", "client_id", "scope", "audience", "resource", "token", "token_type_hint"), fc.string({ maxLength: 12 }));
const pair = fc.oneof(
  fc.tuple(name, value),
  fc.tuple(fc.constant("client_secret"), fc.oneof(fc.constantFrom(SECRET, "wrong", ""), fc.string({ maxLength: 20 }))),
);
const formBody = fc
  .array(pair, { maxLength: 8 })
  .map((pairs) => Buffer.from(pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")));
const rawBody = fc.oneof(
  formBody,
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  printable.map((text) => Buffer.from(text)),
  fc.constantFrom(Buffer.from("%"), Buffer.from("a=%zz&b=%E0%A4%A"), Buffer.from("=&=&&"), Buffer.alloc(70 * 1024, 0x61)),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc
    .tuple(fc.constantFrom("svc", "other", "svc%20", ""), fc.constantFrom(SECRET, "wrong", ""))
    .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => `Basic ${Buffer.from(bytes).toString("base64")}`),
  printable.map((text) => `Basic ${text}`),
  printable,
);
const contentType = fc.oneof(
  fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "APPLICATION/X-WWW-FORM-URLENCODED",
    "application/json",
    "text/plain",
  ),
  printable,
  fc.constant(undefined),
);
const sent = fc.record({
  path: fc.constantFrom("token", "introspection", "revocation"),
  method: fc.constantFrom("POST", "POST", "POST", "GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"),
  contentType,
  authorization,
  body: rawBody,
});

describe("token, introspection and revocation endpoints under arbitrary input", () => {
  it("answer 2xx or 4xx JSON, and never echo the client secret", async () => {
    await fc.assert(
      fc.asyncProperty(sent, async (input) => {
        const headers: Record<string, string> = {};
        if (input.contentType !== undefined) headers["content-type"] = input.contentType;
        if (input.authorization !== undefined) headers.authorization = input.authorization;
        const url = issuer.endpoints[input.path as "token" | "introspection" | "revocation"];
        const answer = await send({ path: new URL(url).pathname, method: input.method, headers, body: input.body });
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        if (input.method === "HEAD") return;
        expect(answer.contentType).toBe("application/json");
        const parsed = JSON.parse(answer.body) as Record<string, unknown>;
        if (answer.status >= 400) {
          expect(["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope", "invalid_target"]).toContain(parsed.error);
          expect(typeof parsed.error_description).toBe("string");
        }
        expect(answer.body).not.toContain(SECRET);
      }),
      { numRuns: 400 },
    );
  });

  it("a valid request among arbitrary extra parameters still gets its token", async () => {
    const extras = fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })), { maxLength: 6 });
    const known = new Set(["grant_type", "client_id", "client_secret", "scope", "audience", "resource"]);
    await fc.assert(
      fc.asyncProperty(extras, async (pairs) => {
        const params = new URLSearchParams({ grant_type: "client_credentials", client_id: "svc", client_secret: SECRET });
        for (const [k, v] of pairs) if (!known.has(k)) params.append(k, v);
        const response = await fetch(issuer.endpoints.token, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: params,
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { scope: string }).scope).toBe("read write");
      }),
      { numRuns: 100 },
    );
  });
});
