// private_key_jwt: the client signs a JWT with its private key (RFC 7523
// §2.2 and §3, RFC 7521 §4.2, OpenID Connect Core §9). Verified with
// tokenward's own verifier: its algorithm table, JWK rules and JWKS cache
// (https or loopback only, bounded, single-flight). Header `jku` and `x5u`
// are never fetched; keys come only from the client's configuration.

import { ConfigError, createVerifier, decodeUnverified, TokenError, type VerifiedToken, type Verifier } from "tokenward";
import type { ResolvedClient, ResolvedConfig } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { clientAuthFailed, shown } from "./failure.js";
import { enforceClientRateLimit, fromStore } from "./rate-limit.js";
import { type ClientAuthState, clientAuthState } from "./state.js";
import { CLIENT_ASSERTION_SIGNING_ALGORITHMS } from "./supported.js";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const MAX_JTI_LENGTH = 1024;

function verifierFor(state: ClientAuthState, config: ResolvedConfig, client: ResolvedClient): Verifier {
  let verifier = state.verifiers.get(client.clientId);
  if (verifier !== undefined) return verifier;
  const audiences = [...new Set([config.issuer, config.endpoints.token, config.endpoints.introspection, config.endpoints.revocation])];
  verifier = createVerifier({
    issuers: [
      {
        // RFC 7523 §3: iss and sub are both the client id; the verifier matches iss exactly.
        issuer: client.clientId,
        name: `client ${client.clientId}`,
        audience: audiences,
        ...(client.jwks !== undefined ? { jwks: client.jwks } : { jwksUri: client.jwksUri }),
        // Asymmetric only: never none, never HMAC.
        algorithms: CLIENT_ASSERTION_SIGNING_ALGORITHMS,
        // RFC 7523 has no typ; draft-ietf-oauth-rfc7523bis names client-authentication+jwt. An access token (at+jwt) is refused.
        types: ["JWT", "client-authentication+jwt"],
        clockTolerance: config.limits.clockToleranceSeconds,
        // RFC 7523 §3 item 7: jti, to refuse replays; item 4: exp (the verifier requires it).
        requiredClaims: ["jti", "sub"],
        claims: { sub: client.clientId },
      },
    ],
    // Every assertion is new (jti): caching verified ones would only hold memory.
    cache: false,
    now: () => state.clock() / 1000,
  });
  state.verifiers.set(client.clientId, verifier);
  return verifier;
}

/** The client an assertion claims to be, before anything is verified: client_id, else the unverified sub or iss. */
function claimedClientId(assertion: string, params: ReadonlyMap<string, string>): string | { problem: string } {
  const clientId = params.get("client_id");
  if (clientId !== undefined) return clientId;
  let payload: unknown;
  try {
    payload = decodeUnverified(assertion).payload;
  } catch (error) {
    return { problem: `client_assertion is not a JWT: ${TokenError.is(error) ? error.hint : String(error)}` };
  }
  const claims = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  if (typeof claims.sub === "string" && claims.sub !== "") return claims.sub;
  if (typeof claims.iss === "string" && claims.iss !== "") return claims.iss;
  return { problem: "client_assertion names no client: it has no sub or iss, and no client_id was sent" };
}

/** The endpoint this request was sent to, among the configured ones (an assertion may be addressed to it). */
function calledEndpoint(config: ResolvedConfig, request: Request): string | undefined {
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    return undefined;
  }
  const { token, introspection, revocation } = config.endpoints;
  return [token, introspection, revocation].find((endpoint) => new URL(endpoint).pathname === path);
}

function audienceProblem(claims: VerifiedToken["claims"], accepted: ReadonlySet<string>): string | undefined {
  const aud = claims.aud;
  const values = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (values.some((value) => accepted.has(value))) return undefined;
  return `the assertion's aud ${JSON.stringify(values)} names neither the issuer nor this endpoint; accepted: ${JSON.stringify([...accepted])}`;
}

export async function authenticatePrivateKeyJwt(request: Request, params: ReadonlyMap<string, string>, ctx: IssuerContext): Promise<ResolvedClient> {
  const { config } = ctx;
  const type = params.get("client_assertion_type");
  const assertion = params.get("client_assertion");
  if (type === undefined) throw new OAuthError("invalid_request", "client_assertion was sent without client_assertion_type");
  if (type !== JWT_BEARER_ASSERTION_TYPE) {
    throw new OAuthError("invalid_request", `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE} (RFC 7523 section 2.2)`);
  }
  if (assertion === undefined) throw new OAuthError("invalid_request", "the client_assertion parameter is missing");

  const claimed = claimedClientId(assertion, params);
  if (typeof claimed !== "string") throw clientAuthFailed(config, `private_key_jwt: ${claimed.problem}`);
  const client = config.clients.get(claimed);
  if (client === undefined) throw clientAuthFailed(config, `private_key_jwt: unknown client_id ${shown(claimed)}`);
  await enforceClientRateLimit(ctx, client);
  if (!client.authMethods.has("private_key_jwt")) {
    throw clientAuthFailed(config, `client ${shown(client.clientId)} may not use private_key_jwt; its authMethods are ${[...client.authMethods].join(", ")}`);
  }

  const state = clientAuthState(config, ctx.now);
  let verified: VerifiedToken;
  try {
    verified = await verifierFor(state, config, client).verify(assertion);
  } catch (error) {
    if (TokenError.is(error) || ConfigError.is(error)) {
      const reason = TokenError.is(error) ? `${error.code}: ${error.hint}` : error.message;
      throw clientAuthFailed(config, `private_key_jwt assertion of client ${shown(client.clientId)} refused: ${reason}`);
    }
    throw error;
  }

  // Signature first, then these: a forged assertion learns nothing about which rule it broke.
  const { claims } = verified;
  const accepted = new Set([config.issuer, config.endpoints.token]);
  const called = calledEndpoint(config, request);
  if (called !== undefined) accepted.add(called);
  const audience = audienceProblem(claims, accepted);
  if (audience !== undefined) throw clientAuthFailed(config, `private_key_jwt: ${audience}`);

  const nowSeconds = ctx.now() / 1000;
  const exp = verified.expiresAt;
  const iat = typeof claims.iat === "number" ? claims.iat : undefined;
  const lifetime = exp - (iat ?? nowSeconds);
  const maxLifetime = config.limits.maxAssertionLifetimeSeconds;
  if (lifetime > maxLifetime) {
    throw clientAuthFailed(
      config,
      `private_key_jwt: the assertion is valid for ${Math.round(lifetime)} s (exp - ${iat === undefined ? "now" : "iat"}); at most ${maxLifetime} s (limits.maxAssertionLifetimeSeconds) are accepted, so a stolen assertion is useless soon`,
    );
  }
  const jti = claims.jti;
  if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) {
    throw clientAuthFailed(config, `private_key_jwt: jti must be a non-empty string of at most ${MAX_JTI_LENGTH} characters`);
  }
  // RFC 7523 §3 item 7: each jti once. The record outlives the last moment the
  // assertion would be accepted (exp plus the clock tolerance), and it is made
  // only now, after the signature, so forged assertions cannot burn jtis.
  const keepUntilMs = (exp + config.limits.clockToleranceSeconds) * 1000;
  const first = await fromStore(() => ctx.store.useOnce(`client-assertion:${client.clientId}`, jti, keepUntilMs));
  if (!first) {
    throw clientAuthFailed(
      config,
      `private_key_jwt: assertion replayed (client ${shown(client.clientId)} sent a jti already used)`,
      "client assertion already used",
    );
  }
  return client;
}
