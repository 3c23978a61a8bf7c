import type { Guard } from "../authz/guards.js";
import { TokenError } from "../errors/token-error.js";
import { VERIFY_NOW } from "../verifier/create-verifier.js";
import type { VerifiedToken } from "../verifier/types.js";
import { type BearerSources, extractBearer, syntaxError } from "./bearer.js";
import { type ErrorResponse, errorResponse } from "./challenge.js";
import type { ResolvedAuthOptions, ResponseOptions } from "./options.js";

export type AuthOutcome =
  | { readonly ok: true; readonly auth: VerifiedToken | undefined }
  | { readonly ok: false; readonly error: TokenError; readonly response: ErrorResponse };

/** What decision events say of a request: never its query string, which may hold a token. */
export interface RouteFacts {
  readonly method?: string | undefined;
  readonly path?: string | undefined;
}

export interface RequestFacts extends BearerSources, RouteFacts {}

const missing = (): TokenError => new TokenError("token_missing", { hint: "the request has no Authorization: Bearer header" });

type Stage = "authentication" | "authorization";

function decide(
  stage: Stage,
  options: ResponseOptions,
  facts: RouteFacts,
  started: number,
  auth: VerifiedToken | undefined,
  error: TokenError | undefined,
): void {
  const onDecision = options.onDecision;
  if (onDecision === undefined) return;
  try {
    onDecision({
      outcome: error === undefined ? "accepted" : "rejected",
      stage,
      code: error?.code,
      status: error?.status ?? 200,
      hint: error?.hint,
      issuer: auth?.issuer.issuer,
      latencyMs: performance.now() - started,
      method: facts.method,
      path: facts.path,
    });
  } catch {
    // A logger must never turn a decision into a failure.
  }
}

function refuse(stage: Stage, options: ResponseOptions, facts: RouteFacts, started: number, error: unknown): AuthOutcome {
  if (!TokenError.is(error)) throw error;
  decide(stage, options, facts, started, undefined, error);
  return { ok: false, error, response: errorResponse(error, options) };
}

/** Runs guards against an authenticated request (route-level authorization). */
export function authorizeRequest(auth: VerifiedToken | undefined, guards: readonly Guard[], options: ResponseOptions, facts: RouteFacts): AuthOutcome {
  const started = options.onDecision === undefined ? 0 : performance.now();
  try {
    if (auth === undefined) throw missing();
    for (const guard of guards) guard(auth);
  } catch (error) {
    return refuse("authorization", options, facts, started, error);
  }
  decide("authorization", options, facts, started, auth, undefined);
  return { ok: true, auth };
}

function verified(auth: VerifiedToken, facts: RequestFacts, options: ResolvedAuthOptions, started: number): AuthOutcome {
  // The common case (no guards, no decision hook) costs a check each: this
  // runs on every request, most of which hit the verified-token cache.
  const guards = options.guards;
  if (guards.length !== 0) {
    try {
      for (const guard of guards) guard(auth);
    } catch (error) {
      return refuse("authentication", options, facts, started, error);
    }
  }
  if (options.onDecision !== undefined) decide("authentication", options, facts, started, auth, undefined);
  return { ok: true, auth };
}

function unverified(error: unknown, token: string, facts: RequestFacts, options: ResolvedAuthOptions, started: number): AuthOutcome {
  // The syntax check was deferred (see syntaxError): a token that is not
  // even a bearer token is the request's fault (400), not the token's (401).
  return refuse("authentication", options, facts, started, (TokenError.is(error) && syntaxError(token, facts)) || error);
}

/**
 * The whole decision for one request, the same for every framework: find the
 * bearer token (RFC 6750 §2), verify it, run the guards, and on refusal build
 * the RFC 6750 §3 response. Adapters only translate requests and responses.
 * Synchronous when the verifier could answer at once (a cached token, or
 * keys at hand and node:crypto), so a request waits for nothing it need not.
 */
export function authenticateRequest(facts: RequestFacts, options: ResolvedAuthOptions): AuthOutcome | Promise<AuthOutcome> {
  try {
    return authenticateNow(facts, options);
  } catch (error) {
    // Anything but a TokenError is a bug (a guard's, a verifier's): it rejects,
    // for the framework's error handling, and never escapes as a throw.
    return Promise.reject(error);
  }
}

function authenticateNow(facts: RequestFacts, options: ResolvedAuthOptions): AuthOutcome | Promise<AuthOutcome> {
  const started = options.onDecision === undefined ? 0 : performance.now();
  const verifyNow = options.verifier[VERIFY_NOW];
  let token: string | undefined;
  try {
    // tokenward's own verifier only accepts well-formed tokens, so for it the
    // syntax check can wait until verification fails.
    token = extractBearer(facts, options, verifyNow === undefined);
  } catch (error) {
    return refuse("authentication", options, facts, started, error);
  }
  if (token === undefined) {
    if (!options.optional) return refuse("authentication", options, facts, started, missing());
    decide("authentication", options, facts, started, undefined, undefined);
    return { ok: true, auth: undefined };
  }
  let result: VerifiedToken | Promise<VerifiedToken>;
  try {
    result = verifyNow === undefined ? options.verifier.verify(token) : verifyNow(token);
  } catch (error) {
    return unverified(error, token, facts, options, started);
  }
  if (!(result instanceof Promise)) return verified(result, facts, options, started);
  const pending = token;
  return result.then(
    (auth) => verified(auth, facts, options, started),
    (error: unknown) => unverified(error, pending, facts, options, started),
  );
}
