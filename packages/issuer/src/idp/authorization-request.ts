// The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1,
// PKCE RFC 7636 §4.3), read from the query of the GET that shows the sign-in
// form or from the body of the POST that submits it: the form carries the
// whole request again, so the POST is checked exactly like the GET and a
// forged POST can only ask for what a GET could.
//
// RFC 6749 §4.1.2.1: while the client or its redirect URI is in doubt the
// user is NOT redirected (an error page instead, so the server cannot be used
// as an open redirector); once both are known, every other error goes back
// to the client's redirect URI with `error` and the `state`.

import type { ResolvedClient, ResolvedIdentityProvider } from "../config/types.js";

export interface AuthorizationRequest {
  readonly client: ResolvedClient;
  readonly redirectUri: string;
  readonly state: string | undefined;
  /** openid, and the identity scopes asked for (OpenID Connect Core §5.4). */
  readonly scopes: readonly string[];
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  /** The request's parameters, to be carried by the sign-in form. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** An error shown on a page: the redirect URI cannot be trusted (RFC 6749 §4.1.2.1). */
export interface PageError {
  readonly kind: "page";
  readonly description: string;
}

/** An error sent back to the client (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6). */
export interface RedirectError {
  readonly kind: "redirect";
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly error: string;
  readonly description: string;
}

export type AuthorizationRequestResult = { readonly kind: "ok"; readonly request: AuthorizationRequest } | PageError | RedirectError;

/** The parameters the sign-in form carries back (every one that affects the answer). */
export const CARRIED_PARAMETERS = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "nonce"];

// OpenID Connect Core §5.4: the scopes that ask for identity claims; others are ignored (RFC 6749 §3.3 lets the server narrow).
const IDENTITY_SCOPES = new Set(["openid", "profile", "email"]);
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// RFC 7636 §4.2: S256 gives BASE64URL(SHA256(verifier)): 32 bytes, 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE = 2048;
const MAX_NONCE = 512;

/** A query's parameters (RFC 6749 §3.1: an empty value counts as absent), and the first name sent twice. */
export function queryParameters(search: URLSearchParams): { params: Map<string, string>; repeated: string | undefined } {
  const params = new Map<string, string>();
  let repeated: string | undefined;
  for (const [name, value] of search) {
    if (value === "") continue;
    if (params.has(name)) repeated ??= name;
    else params.set(name, value);
  }
  return { params, repeated };
}

function printable(text: string, max: number): boolean {
  // Visible ASCII and space (RFC 6749 Appendix A.5, state = 1*VSCHAR; the nonce is echoed the same way).
  return text.length <= max && /^[\x20-\x7E]+$/.test(text);
}

/** Checks an authorization request; `repeated` names a parameter sent more than once (RFC 6749 §3.1 refuses it). */
export function readAuthorizationRequest(
  idp: ResolvedIdentityProvider,
  clients: ReadonlyMap<string, ResolvedClient>,
  params: ReadonlyMap<string, string>,
  repeated: string | undefined,
): AuthorizationRequestResult {
  const page = (description: string): PageError => ({ kind: "page", description });

  if (repeated === "client_id" || repeated === "redirect_uri") return page(`the ${repeated} parameter is included more than once (RFC 6749 section 3.1)`);
  const clientId = params.get("client_id");
  if (clientId === undefined) return page("the request has no client_id; the application that sent you here is misconfigured");
  const client = clients.get(clientId);
  const registered = client === undefined ? undefined : idp.redirectUris.get(client.clientId);
  if (client === undefined || registered === undefined || !client.grantTypes.has("authorization_code")) {
    return page("the application that sent you here is not registered to sign users in");
  }
  const redirectUri = params.get("redirect_uri");
  // OpenID Connect Core §3.1.2.1: redirect_uri is REQUIRED; RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: compared exactly.
  if (redirectUri === undefined) return page("the request has no redirect_uri; the application that sent you here is misconfigured");
  if (!registered.includes(redirectUri)) return page("the redirect_uri is not one registered for this application");

  const rawState = params.get("state");
  const stateOk = rawState === undefined || (repeated !== "state" && printable(rawState, MAX_STATE));
  const state = stateOk ? rawState : undefined;
  const back = (error: string, description: string): RedirectError => ({ kind: "redirect", redirectUri, state, error, description });

  if (repeated !== undefined) return back("invalid_request", `the ${repeated} parameter is included more than once (RFC 6749 section 3.1)`);
  if (!stateOk) return back("invalid_request", `state must be at most ${MAX_STATE} visible ASCII characters (RFC 6749 Appendix A.5)`);
  // OpenID Connect Core §3.1.2.6 / §6: request objects are not supported.
  if (params.has("request")) return back("request_not_supported", "request objects are not supported; send the parameters in the query");
  if (params.has("request_uri")) return back("request_uri_not_supported", "request_uri is not supported; send the parameters in the query");

  const responseType = params.get("response_type");
  if (responseType === undefined) return back("invalid_request", "the response_type parameter is missing; send response_type=code");
  if (responseType !== "code") return back("unsupported_response_type", "only response_type=code is supported (authorization code flow with PKCE)");
  const responseMode = params.get("response_mode");
  if (responseMode !== undefined && responseMode !== "query") return back("invalid_request", "only response_mode=query is supported");

  const scope = params.get("scope");
  const requested = scope === undefined ? [] : scope.split(" ").filter((token) => token !== "");
  if (requested.some((token) => !SCOPE_TOKEN.test(token)))
    return back("invalid_scope", "the scope parameter is not a list of scope tokens (RFC 6749 section 3.3)");
  // OpenID Connect Core §3.1.2.1: openid is REQUIRED; this server signs users in only to issue ID tokens.
  if (!requested.includes("openid")) return back("invalid_scope", "include the openid scope: this server signs users in with OpenID Connect");
  const scopes = [...new Set(requested.filter((token) => IDENTITY_SCOPES.has(token)))];

  const codeChallenge = params.get("code_challenge");
  // RFC 9700 §2.1.1 and OAuth 2.1: PKCE for every client; RFC 7636 §4.3: an absent method means "plain", which is refused.
  if (codeChallenge === undefined) return back("invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636)");
  if (params.get("code_challenge_method") !== "S256")
    return back("invalid_request", "code_challenge_method must be S256; plain is not accepted (RFC 7636 section 4.2)");
  if (!S256_CHALLENGE.test(codeChallenge))
    return back("invalid_request", "code_challenge must be BASE64URL(SHA256(code_verifier)), 43 characters (RFC 7636 section 4.2)");

  const nonce = params.get("nonce");
  if (nonce !== undefined && !printable(nonce, MAX_NONCE)) return back("invalid_request", `nonce must be at most ${MAX_NONCE} visible ASCII characters`);
  // OpenID Connect Core §3.1.2.6: there is no session to reuse, so a sign-in without showing the form is impossible.
  const prompt = params.get("prompt");
  if (prompt?.split(" ").includes("none") === true) return back("login_required", "the user must sign in; this server keeps no session");

  const carried = new Map<string, string>();
  for (const name of CARRIED_PARAMETERS) {
    const value = params.get(name);
    if (value !== undefined) carried.set(name, value);
  }
  return { kind: "ok", request: { client, redirectUri, state, scopes, codeChallenge, nonce, parameters: carried } };
}
