import { nearMiss, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledPolicy } from "../issuers/compile.js";
import { checkAudience, checkKind, checkRegisteredTypes, checkRequiredClaims, checkTimes, type TimeWindow } from "../verifier/check-claims.js";
import type { JwtClaims } from "../verifier/types.js";

export interface CheckedAnswer {
  /** The answer's members: for an opaque token, its claims. */
  readonly claims: JwtClaims;
  readonly window: TimeWindow;
}

export interface AnswerContext {
  /** The endpoint that answered, for hints. */
  readonly endpoint: string;
  readonly requireIssuer: boolean;
  /**
   * Whether the answer is all there is (an opaque token): then it must also
   * satisfy what a JWT's claims would (audience, kind, required claims). For
   * a JWT those were checked on the JWT itself.
   */
  readonly opaque: boolean;
}

const URN = "urn:ietf:params:oauth:token-type:";

// What the kind members of an answer may not say. RFC 7662 §2.1 makes
// token_type_hint only a hint: servers also introspect refresh and ID
// tokens, and say so in `token_type` (RFC 7662 §2.2, or an RFC 8693 §3 URN),
// `token_use` (Ory Hydra) or `typ` (Keycloak: "Refresh", "Offline", "ID",
// "Logout"). Any of them presented as an access token is refused
// (RFC 8725 §3.11's rule, for answers).
const NOT_ACCESS_TOKENS = new Set([
  "refresh_token",
  "refresh",
  "offline",
  "id_token",
  "id",
  "logout",
  "logout_token",
  "n_a",
  `${URN}refresh_token`,
  `${URN}id_token`,
  `${URN}saml1`,
  `${URN}saml2`,
  `${URN}id-jag`,
]);
const KIND_MEMBERS = ["token_type", "token_use", "typ"] as const;

function own(answer: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(answer, name) ? answer[name] : undefined;
}

function unavailable(hint: string): TokenError {
  return new TokenError("introspection_unavailable", { hint, retryAfter: 5 });
}

/**
 * The rules for an introspection answer (RFC 7662 §2.2): a JSON object whose
 * `active` is exactly `true`; `iss`, when required or present, equal to the
 * issuer byte for byte; no member saying it is another kind of token; the
 * time claims within the policy's tolerance; and for an opaque token the
 * policy's audience, kind and required claims, as for a JWT.
 */
export function checkAnswer(body: unknown, policy: CompiledPolicy, now: number, context: AnswerContext): CheckedAnswer {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw unavailable(
      `${context.endpoint} answered ${Array.isArray(body) ? "an array" : `a JSON ${body === null ? "null" : typeof body}`}, not a JSON object (RFC 7662 §2.2); is it an introspection endpoint?`,
    );
  }
  const answer = body as Record<string, unknown>;
  const active = own(answer, "active");
  if (active === false) {
    throw new TokenError("token_inactive", {
      hint: `the introspection endpoint ${context.endpoint} says the token is not active: expired, revoked, unknown to it, or not its own (RFC 7662 §2.2)`,
    });
  }
  if (active !== true) {
    throw unavailable(`${context.endpoint} answered "active": ${show(active)}; RFC 7662 §2.2 requires the boolean true or false`);
  }

  const iss = own(answer, "iss");
  if (iss === undefined) {
    if (context.requireIssuer) {
      throw new TokenError("issuer_untrusted", {
        hint: `the introspection answer from ${context.endpoint} has no "iss", so it does not say which issuer vouches for the token; expected ${show(policy.issuer)}. If this server never sends iss (RFC 7662 §2.2 makes it optional), set introspection.requireIssuer: false`,
      });
    }
  } else if (iss !== policy.issuer) {
    const why = typeof iss === "string" ? nearMiss(iss, policy.issuer, "the introspection answer") : undefined;
    throw new TokenError("issuer_untrusted", {
      hint:
        why === undefined
          ? `the introspection answer from ${context.endpoint} names iss ${show(iss)}, not the configured issuer ${show(policy.issuer)}`
          : `the introspection answer's iss ${show(iss)} ${why} from the configured issuer ${show(policy.issuer)}. Issuers are compared byte for byte: configure the issuer exactly as the authorization server spells it`,
    });
  }

  for (const name of KIND_MEMBERS) {
    const value = own(answer, name);
    if (typeof value === "string" && NOT_ACCESS_TOKENS.has(value.toLowerCase())) {
      throw new TokenError("type_not_allowed", {
        hint: `the introspection answer says "${name}": ${show(value)}: not an access token. Send the access token, not a refresh or ID token (the introspection endpoint answers for those too)`,
      });
    }
  }

  const claims = answer as JwtClaims;
  if (context.opaque) checkKind(claims, policy);
  // RFC 7662 §2.2: exp, nbf and iat are optional; present, they are checked
  // as a JWT's are, with the policy's clock tolerance.
  const window = checkTimes(claims, policy, now, false);
  if (context.opaque) {
    checkAudience(claims, policy);
    checkRegisteredTypes(claims);
    checkRequiredClaims(claims, policy);
  }
  return { claims, window };
}
