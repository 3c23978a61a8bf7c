// client_secret_basic: RFC 6749 §2.3.1 and Appendix B, HTTP Basic (RFC 7617).

import type { ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { authenticateWithSecret } from "./client-secret.js";
import { clientAuthFailed, shown } from "./failure.js";

export interface BasicCredentials {
  /** Candidate spellings of the client id: form-decoded first, then as sent (when they differ). */
  readonly clientIds: readonly string[];
  readonly secrets: readonly string[];
}

// RFC 7235 §2.1: the scheme is case-insensitive; RFC 7617 §2: token68 credentials.
const BASIC = /^[ \t]*basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function formDecode(value: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return undefined;
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

function candidates(raw: string): string[] {
  // Nothing to decode: the one spelling (generated ids and secrets are like this).
  if (!raw.includes("%") && !raw.includes("+")) return [raw];
  const decoded = formDecode(raw);
  return decoded === undefined || decoded === raw ? [raw] : [decoded, raw];
}

/**
 * Reads `Authorization: Basic ...`, or says why it cannot be read.
 *
 * RFC 6749 Appendix B: the client id and secret are form-urlencoded before
 * being joined with ':' and base64-encoded. Many clients skip that step (the
 * MCP TypeScript SDK among them) and send them raw. The two agree unless a
 * value contains '%' or '+' (or any character that encoding escapes). So
 * each is tried decoded first, as the RFC says, then raw when decoding fails
 * or changes it: a raw "a+b" decodes to "a b", fails, and then matches as
 * sent. Accepting both spellings lets no one in who does not know the secret;
 * it costs a second scrypt only on a failure. Generated secrets
 * (`tokenward secret hash --generate`) are base64url: both spellings agree.
 */
export function parseBasicCredentials(header: string): BasicCredentials | string {
  const match = BASIC.exec(header);
  if (match === null) {
    return /^[ \t]*basic\b/i.test(header) ? "the Basic credentials are not base64" : "the Authorization header does not use the Basic scheme";
  }
  const encoded = match[1] ?? "";
  const bytes = Buffer.from(encoded, "base64");
  // Buffer skips what it cannot read; only the canonical spelling is accepted.
  if (encoded.length % 4 !== 0 || bytes.toString("base64") !== encoded) return "the Basic credentials are not canonical base64";
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return "the Basic credentials are not UTF-8";
  }
  const colon = text.indexOf(":");
  if (colon === -1) return "the Basic credentials have no ':' between client id and secret";
  const id = text.slice(0, colon);
  const secret = text.slice(colon + 1);
  if (id === "" || secret === "") return id === "" ? "the Basic credentials have an empty client id" : "the Basic credentials have an empty secret";
  return { clientIds: candidates(id), secrets: candidates(secret) };
}

export async function authenticateClientSecretBasic(header: string, params: ReadonlyMap<string, string>, ctx: IssuerContext): Promise<ResolvedClient> {
  const credentials = parseBasicCredentials(header);
  // RFC 6749 §5.2: malformed credentials are a failed authentication (invalid_client, 401 with a challenge).
  if (typeof credentials === "string") throw clientAuthFailed(ctx.config, `client_secret_basic: ${credentials}`);
  const client = await authenticateWithSecret(ctx, "client_secret_basic", credentials.clientIds, credentials.secrets);
  const bodyId = params.get("client_id");
  if (bodyId !== undefined && bodyId !== client.clientId) {
    throw new OAuthError("invalid_request", "client_id does not match the client in the Authorization header", {
      detail: `client_id ${shown(bodyId)} with Basic credentials of ${shown(client.clientId)}`,
    });
  }
  return client;
}
