import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach } from "vitest";
import { createVerifier, type IntrospectionOptions, type IssuerPolicy, type Verifier, type VerifierOptions } from "../../src/index.js";
import { type Handler, startServer, type TestServer } from "../helpers/http-server.js";

export const AS_ISSUER = "https://as.example.com";
export const API = "https://api.example.com";
export const CLIENT_ID = "resource-server";
export const CLIENT_SECRET = "the-client-secret-7f3a9c";
export const PATH = "/oauth/introspect";

/** One request the introspection endpoint received, as it arrived. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body. */
  readonly raw: string;
  /** The body, form-decoded (every value of every name). */
  readonly params: URLSearchParams;
}

export type Answer = (request: SeenRequest, response: ServerResponse) => unknown;

export interface IntrospectionServer {
  readonly server: TestServer;
  /** The endpoint URL: http://127.0.0.1:<port>/oauth/introspect */
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  /** Answer every introspection with this JSON (status 200). */
  answer(body: unknown): void;
  /** Answer every introspection with a handler of the test's. */
  handle(handler: Answer): void;
  /** Answer each token as `answers` says; unknown tokens are inactive. */
  answerByToken(answers: Record<string, unknown>): void;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export function json(response: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** A real RFC 7662 endpoint on 127.0.0.1 whose answers each test chooses; it records every request. */
export async function startIntrospectionServer(): Promise<IntrospectionServer> {
  const server = await startServer();
  const requests: SeenRequest[] = [];
  let answer: Answer = (_request, response) => json(response, { active: false });
  const handler: Handler = async (request, response) => {
    const raw = await readBody(request);
    const seen: SeenRequest = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, raw, params: new URLSearchParams(raw) };
    requests.push(seen);
    await answer(seen, response);
  };
  server.route(PATH, handler);
  return {
    server,
    endpoint: `${server.origin}${PATH}`,
    requests,
    answer(body) {
      answer = (_request, response) => json(response, body);
    },
    handle(handler) {
      answer = handler;
    },
    answerByToken(answers) {
      answer = (request, response) => json(response, answers[request.params.get("token") ?? ""] ?? { active: false });
    },
  };
}

/** An opaque access token as authorization servers mint them: random base64url. */
export function opaqueToken(): string {
  return randomBytes(32).toString("base64url");
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** An active answer for AS_ISSUER and API, valid for five minutes, with overrides (undefined removes a member). */
export function activeAnswer(overrides: Record<string, unknown> = {}, now: number = nowSeconds()): Record<string, unknown> {
  const answer: Record<string, unknown> = {
    active: true,
    iss: AS_ISSUER,
    aud: API,
    sub: "user-1",
    client_id: "client-app",
    scope: "read:data write:data",
    token_type: "Bearer",
    iat: now - 10,
    exp: now + 300,
    ...overrides,
  };
  for (const [name, value] of Object.entries(answer)) if (value === undefined) delete answer[name];
  return answer;
}

/** The issuer policy of these tests, introspecting at `endpoint`. */
export function policyFor(endpoint: string, introspection: Partial<IntrospectionOptions> = {}, policy: Partial<IssuerPolicy> = {}): IssuerPolicy {
  // No key source: JWTs of this issuer would discover their JWKS, lazily; opaque tokens never need one.
  return {
    issuer: AS_ISSUER,
    audience: API,
    ...policy,
    introspection: { endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...introspection },
  };
}

export function verifierFor(
  endpoint: string,
  introspection: Partial<IntrospectionOptions> = {},
  policy: Partial<IssuerPolicy> = {},
  options: Partial<VerifierOptions> = {},
): Verifier {
  return createVerifier({ ...options, issuers: [policyFor(endpoint, introspection, policy)] });
}

/** A fresh introspection server per test, closed after it. */
export function useIntrospectionServer(): { readonly current: IntrospectionServer } {
  const holder: { current: IntrospectionServer } = { current: undefined as unknown as IntrospectionServer };
  beforeEach(async () => {
    holder.current = await startIntrospectionServer();
  });
  afterEach(async () => {
    await holder.current.server.close();
  });
  return holder;
}
