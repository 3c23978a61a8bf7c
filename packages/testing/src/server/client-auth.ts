import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, oauthError } from "./answer.js";
import { single } from "./form.js";

export type ClientAuthResult = { readonly client: ResolvedClient } | { readonly answer: Answer };

// RFC 7235 §2.1: the scheme is case-insensitive; RFC 7617 §2: token68 credentials.
const BASIC = /^[ \t]*basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function same(a: string, b: string): boolean {
  // Digests first: equal lengths for timingSafeEqual, and no early exit on a prefix.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** The form-decoded spelling first (RFC 6749 Appendix B), then the raw one when it differs. */
function spellings(raw: string): string[] {
  try {
    const decoded = decodeURIComponent(raw.replaceAll("+", " "));
    return decoded === raw ? [raw] : [decoded, raw];
  } catch {
    return [raw];
  }
}

function invalidClient(description: string, basic: boolean): Answer {
  // RFC 6749 §5.2: 401, with a challenge for the scheme the client tried when it used the Authorization header.
  return oauthError(401, "invalid_client", description, basic ? { "www-authenticate": 'Basic realm="mock-issuer", charset="UTF-8"' } : {});
}

/** The id and secret of `Authorization: Basic`, or why they cannot be read. */
function readBasic(header: string): { id: string; secret: string } | string {
  const match = BASIC.exec(header);
  if (match === null) return /^[ \t]*basic\b/i.test(header) ? "the Basic credentials are not base64" : "the Authorization header does not use the Basic scheme";
  const encoded = match[1] ?? "";
  const bytes = Buffer.from(encoded, "base64");
  if (encoded.length % 4 !== 0 || bytes.toString("base64") !== encoded) return "the Basic credentials are not canonical base64";
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return "the Basic credentials are not UTF-8";
  }
  const colon = text.indexOf(":");
  if (colon === -1) return "the Basic credentials have no ':' between client id and secret";
  return { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

/**
 * One client authentication method per request (RFC 6749 §2.3):
 * client_secret_basic (§2.3.1, the id and secret form-encoded before Basic
 * encoding, Appendix B) or client_secret_post (the same in the body).
 * Descriptions never repeat a secret.
 */
export function authenticateClient(request: IncomingMessage, params: URLSearchParams, clients: readonly ResolvedClient[]): ClientAuthResult {
  const header = request.headers.authorization;
  const bodyId = single(params, "client_id");
  const bodySecret = single(params, "client_secret");
  if ("problem" in bodyId) return { answer: oauthError(400, "invalid_request", bodyId.problem) };
  if ("problem" in bodySecret) return { answer: oauthError(400, "invalid_request", bodySecret.problem) };

  // Candidate spellings: Appendix B says form-encoded, many clients send them raw; both are tried.
  let ids: string[];
  let secrets: string[];
  let method: "client_secret_basic" | "client_secret_post";
  if (header !== undefined) {
    if (bodySecret.value !== undefined) {
      return { answer: oauthError(400, "invalid_request", "the client authenticated twice (Basic and client_secret); use one method (RFC 6749 §2.3)") };
    }
    const credentials = readBasic(header);
    if (typeof credentials === "string") return { answer: invalidClient(credentials, true) };
    ids = spellings(credentials.id);
    secrets = spellings(credentials.secret);
    method = "client_secret_basic";
  } else if (bodyId.value !== undefined && bodySecret.value !== undefined) {
    ids = [bodyId.value];
    secrets = [bodySecret.value];
    method = "client_secret_post";
  } else if (bodyId.value !== undefined) {
    return { answer: invalidClient("client_id without client_secret: this mock has confidential clients only", false) };
  } else {
    return { answer: invalidClient("no client authentication: send Authorization: Basic, or client_id and client_secret in the body", false) };
  }

  const basic = method === "client_secret_basic";
  const client = clients.find((candidate) => ids.includes(candidate.clientId));
  const id = client?.clientId ?? ids[0] ?? "";
  if (basic && bodyId.value !== undefined && bodyId.value !== id && !ids.includes(bodyId.value)) {
    return { answer: oauthError(400, "invalid_request", "client_id in the body differs from the client in the Authorization header") };
  }
  // An unknown id is not repeated: a caller who swapped id and secret would see the secret.
  if (client === undefined)
    return { answer: invalidClient(`unknown client; the clients are ${clients.map((c) => JSON.stringify(c.clientId)).join(", ")}`, basic) };
  if (!secrets.some((secret) => same(client.clientSecret, secret))) return { answer: invalidClient(`wrong secret for client ${JSON.stringify(id)}`, basic) };
  if (client.authMethod !== undefined && client.authMethod !== method) {
    return { answer: invalidClient(`client ${JSON.stringify(id)} must authenticate with ${client.authMethod}, not ${method}`, basic) };
  }
  return { client };
}
