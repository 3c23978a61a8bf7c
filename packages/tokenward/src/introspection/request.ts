import { show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import { FetchFailure, type FetchLimits } from "../jwks/fetch-json.js";
import { postForm } from "../jwks/post-form.js";
import { decodeUtf8 } from "../jws/utf8.js";
import type { ClientAuthMethod, ClientCredentials } from "./options.js";

/** What one introspection request came to. */
export type Exchange =
  | { readonly ok: true; readonly body: unknown; readonly bytes: number }
  /** `unreachable`: the server did not answer usefully (down, slow, 5xx, 429), so callers may back off. */
  | { readonly ok: false; readonly error: TokenError; readonly unreachable: boolean };

export interface RequestContext {
  readonly fetch: typeof fetch;
  readonly endpoint: string;
  readonly clientId: string;
  readonly auth: ClientAuthMethod;
  readonly credentials: ClientCredentials;
  readonly limits: FetchLimits;
  readonly retryAfter: number;
}

// RFC 6749 §5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E ); the registered
// codes are lower-case words, and nothing longer is worth a hint.
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The RFC 6749 §5.2 `error` code of an error answer, when it has a plausible one (and it is not the token echoed back). */
function errorCode(body: Uint8Array, token: string): string | undefined {
  const text = decodeUtf8(body);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const code = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).error : undefined;
    return typeof code === "string" && ERROR_CODE.test(code) && !code.includes(token) ? code : undefined;
  } catch {
    return undefined;
  }
}

function failure(context: RequestContext, hint: string, unreachable: boolean): Exchange {
  return { ok: false, unreachable, error: new TokenError("introspection_unavailable", { hint, retryAfter: context.retryAfter }) };
}

/**
 * Asks the introspection endpoint about one token (RFC 7662 §2.1): a POST
 * (never a GET: the token stays out of URLs and logs) with `token` and
 * `token_type_hint=access_token` in the form body, the client authenticated
 * as configured. Every failure becomes `introspection_unavailable` with a
 * hint naming the cause; none contains the token or the secret.
 */
export async function requestIntrospection(context: RequestContext, token: string): Promise<Exchange> {
  const { endpoint } = context;
  const form = new URLSearchParams({ token, token_type_hint: "access_token" });
  for (const [name, value] of context.credentials.form) form.append(name, value);
  let answer: Awaited<ReturnType<typeof postForm>>;
  try {
    answer = await postForm(context.fetch, endpoint, form, { accept: "application/json", ...context.credentials.headers }, context.limits);
  } catch (error) {
    if (error instanceof FetchFailure) {
      const unreachable = error.reason === "timeout" || error.reason === "network";
      return failure(context, `the introspection endpoint ${endpoint} cannot be used: ${error.message}`, unreachable);
    }
    return failure(context, `the introspection request to ${endpoint} failed unexpectedly: ${error instanceof Error ? error.name : "unknown error"}`, true);
  }
  const { status } = answer;
  if (status !== 200) {
    const code = errorCode(answer.body, token);
    const said = `HTTP ${status}${code === undefined ? "" : `, error ${show(code)}`}`;
    if (status === 401 || code === "invalid_client") {
      // RFC 6749 §5.2: invalid_client (401) is about our credentials, not the token.
      return failure(
        context,
        `the introspection endpoint ${endpoint} refused this API's client credentials (${said}): check introspection.clientId (${show(context.clientId)}) and introspection.clientSecret (not shown), and that the server accepts ${context.auth} (introspection.auth)`,
        false,
      );
    }
    if (status === 403 || code === "unauthorized_client") {
      return failure(
        context,
        `the introspection endpoint ${endpoint} does not let client ${show(context.clientId)} introspect tokens (${said}): allow it at the authorization server (RFC 7662 §2.1)`,
        false,
      );
    }
    const overloaded = status >= 500 || status === 429;
    return failure(context, `the introspection endpoint ${endpoint} answered ${said}${overloaded ? "" : "; is the endpoint URL right?"}`, overloaded);
  }
  const text = decodeUtf8(answer.body);
  let body: unknown;
  try {
    if (text === undefined) throw new Error("not UTF-8");
    body = JSON.parse(text);
  } catch {
    // RFC 9701 signed answers are only sent when asked for (Accept); a server that sends them anyway is misconfigured for us.
    const signed = answer.contentType?.toLowerCase().startsWith("application/token-introspection+jwt") === true;
    return failure(
      context,
      `the introspection endpoint ${endpoint} answered ${answer.contentType ?? "no content-type"}, not JSON (RFC 7662 §2.2)${signed ? "; tokenward reads JSON answers, not RFC 9701 JWT answers: configure the client at the server to answer JSON" : ""}`,
      false,
    );
  }
  return { ok: true, body, bytes: answer.body.byteLength };
}
