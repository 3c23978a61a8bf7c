// The authorization endpoint of the identity provider role (RFC 6749 §3.1,
// §4.1; OpenID Connect Core §3.1.2), minimal: GET shows a sign-in form for
// a valid authorization request; POST checks the username and password and
// sends the user back to the client with a short-lived, single-use code
// bound to the client, the redirect URI, the PKCE challenge and the nonce
// (idp/authorization-codes.ts). No session and no cookie: every sign-in
// shows the form, and the form carries the authorization request itself.
// Errors go back to the client once its redirect URI is known to be
// registered, and are shown on a page before that (RFC 6749 §4.1.2.1).

import { createHash } from "node:crypto";
import type { ResolvedIdentityProvider } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { readParams } from "../http/params.js";
import { authorizationCodes } from "../idp/authorization-codes.js";
import { type AuthorizationRequest, queryParameters, type RedirectError, readAuthorizationRequest } from "../idp/authorization-request.js";
import { errorPage, loginPage } from "../idp/login-page.js";
import { authenticateUser } from "../idp/users.js";
import { StoreUnavailableError } from "../store/types.js";

/** Sign-in attempts per username per minute: enough for typing mistakes, too few to guess passwords. */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 10;

export async function authorizeEndpoint(ctx: IssuerContext, request: Request): Promise<Response> {
  const idp = ctx.config.identityProvider;
  if (idp === undefined) return errorPage("this server does not sign users in", 404);
  try {
    if (request.method === "GET" || request.method === "HEAD") return show(ctx, idp, request);
    if (request.method === "POST") return await submit(ctx, idp, request);
    const response = errorPage("use GET or POST here", 405);
    response.headers.set("allow", "GET, HEAD, POST");
    return response;
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      ctx.emit({ type: "server_error", error: "temporarily_unavailable", detail: error.message });
      const response = errorPage("the server is temporarily unable to sign you in; try again in a moment", 503);
      response.headers.set("retry-after", "5");
      return response;
    }
    if (OAuthError.is(error)) {
      // From readParams: a body that is not a sign-in form.
      ctx.emit({ type: "request_refused", error: error.error, detail: error.detail ?? error.message });
      return errorPage(error.message, Math.min(error.status, 500));
    }
    ctx.emit({ type: "server_error", detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return errorPage("the server could not handle the request", 500);
  }
}

function show(ctx: IssuerContext, idp: ResolvedIdentityProvider, request: Request): Response {
  const { params, repeated } = queryParameters(new URL(request.url).searchParams);
  const result = readAuthorizationRequest(idp, ctx.config.clients, params, repeated);
  if (result.kind === "page") return refusedOnPage(ctx, result.description);
  if (result.kind === "redirect") return redirectError(ctx, result);
  return loginPage({ action: formAction(idp), parameters: result.request.parameters, clientName: result.request.client.name });
}

async function submit(ctx: IssuerContext, idp: ResolvedIdentityProvider, request: Request): Promise<Response> {
  const params = await readParams(request, { maxBodyBytes: ctx.config.limits.maxBodyBytes });
  const result = readAuthorizationRequest(idp, ctx.config.clients, params, undefined);
  if (result.kind === "page") return refusedOnPage(ctx, result.description);
  if (result.kind === "redirect") return redirectError(ctx, result);
  const authorization = result.request;
  const username = params.get("username");
  const password = params.get("password");
  const again = (message: string, status: number) =>
    loginPage({ action: formAction(idp), parameters: authorization.parameters, clientName: authorization.client.name, username, message, status });
  if (username === undefined || password === undefined) return again("Enter your username and password.", 400);
  if (username.length > 128 || password.length > 1024) return again("Wrong username or password.", 400);

  let limited: { allowed: boolean; retryAfterMs: number };
  try {
    // Keyed by a hash: the store never holds what was typed, and every key has one length.
    const key = `signin:${createHash("sha256").update(username).digest("base64url")}`;
    limited = await ctx.store.rateLimit(key, SIGN_IN_ATTEMPTS_PER_MINUTE, 60_000);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return storeDown(ctx, authorization, error);
    throw error;
  }
  if (!limited.allowed) {
    const seconds = Math.max(1, Math.ceil(limited.retryAfterMs / 1000));
    ctx.emit({ type: "request_refused", clientId: authorization.client.clientId, error: "sign_in_rate_limited", detail: `username ${shown(username)}` });
    const response = again(`Too many sign-in attempts. Wait ${seconds} seconds and try again.`, 429);
    response.headers.set("retry-after", String(seconds));
    return response;
  }

  const user = await authenticateUser(idp, username, password);
  if (user === undefined) {
    ctx.emit({
      type: "request_refused",
      clientId: authorization.client.clientId,
      error: "sign_in_failed",
      detail: `${idp.users.has(username) ? "wrong password for" : "unknown"} username ${shown(username)}`,
    });
    return again("Wrong username or password.", 400);
  }

  const now = ctx.now();
  const issued = authorizationCodes(ctx.config).issue(
    {
      clientId: authorization.client.clientId,
      redirectUri: authorization.redirectUri,
      codeChallenge: authorization.codeChallenge,
      nonce: authorization.nonce,
      sub: user.sub,
      authTime: Math.floor(now / 1000),
      scopes: authorization.scopes,
    },
    now,
  );
  if (issued === undefined) {
    ctx.emit({
      type: "server_error",
      error: "temporarily_unavailable",
      detail: "too many authorization codes outstanding (10000); they expire within a minute",
    });
    return redirect(ctx, authorization.redirectUri, {
      error: "temporarily_unavailable",
      error_description: "too many sign-ins at once; try again",
      state: authorization.state,
    });
  }
  ctx.emit({ type: "user_signed_in", clientId: authorization.client.clientId, detail: `sub ${shown(user.sub)}` });
  // RFC 6749 §4.1.2: code and the exact state; RFC 9207 §2: iss, against mix-up attacks.
  return redirect(ctx, authorization.redirectUri, { code: issued.code, state: authorization.state });
}

function formAction(idp: ResolvedIdentityProvider): string {
  return new URL(idp.authorizationEndpoint).pathname;
}

function shown(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

function refusedOnPage(ctx: IssuerContext, description: string): Response {
  ctx.emit({ type: "request_refused", error: "invalid_request", detail: `authorization request: ${description}` });
  return errorPage(description, 400);
}

function redirectError(ctx: IssuerContext, error: RedirectError): Response {
  ctx.emit({ type: "request_refused", error: error.error, detail: `authorization request: ${error.description}` });
  return redirect(ctx, error.redirectUri, { error: error.error, error_description: error.description, state: error.state });
}

function storeDown(ctx: IssuerContext, authorization: AuthorizationRequest, error: StoreUnavailableError): Response {
  ctx.emit({ type: "server_error", error: "temporarily_unavailable", detail: error.message });
  return redirect(ctx, authorization.redirectUri, {
    error: "temporarily_unavailable",
    error_description: "the server is temporarily unable to sign you in",
    state: authorization.state,
  });
}

/**
 * 303 to the client's registered redirect URI. RFC 6749 §3.1.2: its query
 * is kept as it is and the parameters appended. error_description keeps to
 * the characters RFC 6749 §4.1.2.1 allows.
 */
function redirect(ctx: IssuerContext, redirectUri: string, values: Record<string, string | undefined>): Response {
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    added.append(name, name === "error_description" ? value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "'") : value);
  }
  added.append("iss", ctx.config.issuer);
  const separator = !redirectUri.includes("?") ? "?" : redirectUri.endsWith("?") || redirectUri.endsWith("&") ? "" : "&";
  return new Response(null, {
    status: 303,
    headers: {
      location: `${redirectUri}${separator}${added.toString()}`,
      "cache-control": "no-store",
      pragma: "no-cache",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
  });
}
