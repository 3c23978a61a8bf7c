import { Lru } from "../cache/lru.js";
import { duration } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { CompiledPolicy } from "../issuers/compile.js";
import { createMetadataLocator } from "../issuers/discovery.js";
import { grandfatheringOver } from "../issuers/select.js";
import type { JsonFetcher } from "../jwks/fetch-json.js";
import { decodeCanonical } from "../jws/base64url.js";
import type { JwsHeader } from "../jws/parse.js";
import { decodeUtf8 } from "../jws/utf8.js";
import { B64TOKEN } from "../util/b64token.js";
import { checkTimes, type TimeWindow, timeFailure } from "../verifier/check-claims.js";
import { runCheck } from "../verifier/checks.js";
import { deepFreeze } from "../verifier/deep-freeze.js";
import type { CheckContext, JwtClaims, VerifiedToken } from "../verifier/types.js";
import { VerifiedResult } from "../verifier/verified-result.js";
import { checkAnswer } from "./check-answer.js";
import type { ClientCredentials, IntrospectionSettings } from "./options.js";
import { type Exchange, requestIntrospection } from "./request.js";

/**
 * The header of an introspected opaque token, which has none: an `alg` no
 * JWS can carry (tokenward refuses unknown algorithms), so code can tell the
 * two apart with `verified.header.alg === "introspection"`.
 */
export const INTROSPECTED_HEADER: JwsHeader = Object.freeze({ alg: "introspection" });

// An estimate of what one remembered answer holds beyond the token and its JSON.
const ENTRY_OVERHEAD_BYTES = 256;

/** An active answer, checked, as it is remembered. */
interface Remembered {
  readonly claims: JwtClaims;
  readonly window: TimeWindow;
  /** Unix seconds: not served from the cache at or after this (the answer's exp, or the cache's TTL). */
  readonly until: number;
  /** For an opaque token: its verified result, built once. */
  result: VerifiedResult | undefined;
}

type Check = NonNullable<CompiledPolicy["check"]>;

export interface IntrospectorDependencies {
  readonly fetch: typeof fetch | undefined;
  readonly fetchJson: JsonFetcher;
  readonly nowMs: () => number;
}

/**
 * Whether a token is opaque: anything but the three dot-separated segments
 * of a compact JWS (RFC 7515 §7.1), which is verified as a JWT.
 */
export function isOpaque(token: string): boolean {
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  return second === -1 || token.indexOf(".", second + 1) !== -1;
}

function malformed(hint: string): TokenError {
  return new TokenError("token_malformed", { hint });
}

/**
 * Whether a token is a compact JWE (RFC 7516 §7.1): five segments, the first
 * a JOSE header with "enc" (§9 tells JWE from JWS by that member). It is not
 * an opaque token of the introspecting server but an encrypted JWT, possibly
 * from another issuer (its iss is inside, unreadable), so it is never sent.
 */
function isCompactJwe(token: string): boolean {
  const segments = token.split(".");
  if (segments.length !== 5) return false;
  const bytes = decodeCanonical(segments[0] as string);
  const text = bytes === undefined ? undefined : decodeUtf8(bytes);
  if (text === undefined || !text.trimStart().startsWith("{")) return false;
  try {
    const header: unknown = JSON.parse(text);
    return typeof header === "object" && header !== null && !Array.isArray(header) && Object.hasOwn(header, "enc");
  } catch {
    return false;
  }
}

/**
 * One issuer's introspection (RFC 7662): asks its endpoint about opaque
 * tokens (and, when configured, about its JWTs after they verified), checks
 * each answer, and remembers active answers by the exact token for a short,
 * bounded time (§4: the trade-off between load on the server and how soon a
 * revocation is seen). Concurrent requests with the same token share one
 * request. Inactive answers are not remembered: a flood of distinct junk
 * tokens would otherwise evict the active ones, a token found inactive stays
 * so (asking again costs a request, never a wrong decision), and a client
 * retrying one bad token is answered fast by the single flight while it
 * waits.
 */
export class Introspector {
  readonly opaqueTokens: boolean;
  readonly introspectJwts: boolean;
  readonly #settings: IntrospectionSettings;
  readonly #credentials: ClientCredentials;
  readonly #deps: IntrospectorDependencies;
  readonly #cache: Lru<Remembered> | undefined;
  readonly #inflight = new Map<string, Promise<Remembered>>();
  readonly #locate: (() => Promise<string>) | undefined;
  #locating: Promise<string> | undefined;
  /** Until this instant (ms), after the endpoint was unreachable, new requests fail fast. */
  #downUntil = Number.NEGATIVE_INFINITY;
  #downBecause = "";

  constructor(settings: IntrospectionSettings, credentials: ClientCredentials, deps: IntrospectorDependencies) {
    this.opaqueTokens = settings.opaqueTokens;
    this.introspectJwts = settings.introspectJwts;
    this.#settings = settings;
    this.#credentials = credentials;
    this.#deps = deps;
    this.#cache = settings.cache === undefined ? undefined : new Lru<Remembered>(settings.cache.maxEntries, settings.cache.maxBytes);
    this.#locate =
      settings.endpoint !== undefined
        ? undefined
        : createMetadataLocator(
            {
              issuer: settings.issuer,
              urls: settings.metadataUrls,
              fetchJson: deps.fetchJson,
              limits: settings.metadataLimits,
              allowInsecureHttp: settings.allowInsecureHttp,
              now: deps.nowMs,
            },
            {
              name: "introspection_endpoint",
              option: "introspection.endpoint",
              fail: (hint) => new TokenError("introspection_unavailable", { hint, retryAfter: this.#retryAfter() }),
            },
          );
  }

  /**
   * An opaque token: the active answer is the verified token (its members
   * the claims). Synchronous for a remembered answer.
   */
  verifyOpaque(token: string, policy: CompiledPolicy, now: number, maxTokenBytes: number): VerifiedToken | Promise<VerifiedToken> {
    if (token.length > maxTokenBytes) throw malformed(`the token is ${token.length} bytes, over the limit of ${maxTokenBytes} (maxTokenBytes)`);
    // Nothing that could not be a bearer token is sent to the server.
    if (!B64TOKEN.test(token)) throw malformed("the opaque token has characters a bearer token cannot have (RFC 6750 §2.1); it was not introspected");
    if (isCompactJwe(token)) {
      throw malformed(
        "the token is an encrypted JWT (a compact JWE, RFC 7516), which tokenward does not decrypt; it was not introspected, since its issuer cannot be read. Send a signed JWT (JWS) or an opaque token",
      );
    }
    // A grandfathered issuer past its date is refused before its server is asked.
    if (policy.until !== undefined && now > policy.until) throw grandfatheringOver(policy.issuer, policy.until);
    const known = this.#lookup(token, policy, now);
    if (known !== undefined) return this.#opaqueResult(known, policy);
    return this.#ask(token, policy, now, true).then((remembered) => this.#opaqueResult(remembered, policy));
  }

  /**
   * The check a verified JWT of this issuer runs (and reruns on every hit of
   * the verified-token cache): the server must still call it active, then
   * the policy's own check runs.
   */
  checkFor(token: string, policy: CompiledPolicy, clock: () => number): Check {
    const check = policy.check;
    return (context: CheckContext) => {
      const confirmed = this.#confirm(token, policy, clock());
      if (confirmed === undefined) return check?.(context);
      return confirmed.then(() => check?.(context));
    };
  }

  #confirm(token: string, policy: CompiledPolicy, now: number): undefined | Promise<unknown> {
    if (this.#lookup(token, policy, now) !== undefined) return undefined;
    return this.#ask(token, policy, now, false);
  }

  #opaqueResult(remembered: Remembered, policy: CompiledPolicy): VerifiedToken | Promise<VerifiedToken> {
    remembered.result ??= new VerifiedResult(remembered.claims, INTROSPECTED_HEADER, policy.info, policy.facts, undefined, remembered.window.exp);
    const result = remembered.result;
    if (policy.check === undefined) return result;
    // As for a JWT, the policy's own check runs on every verification, remembered or not.
    const checked = runCheck(policy.check, { claims: result.claims, header: result.header, issuer: result.issuer });
    return checked === undefined ? result : checked.then(() => result);
  }

  /** A remembered answer still good at `now`; throws the time failure a remembered answer now has. */
  #lookup(token: string, policy: CompiledPolicy, now: number): Remembered | undefined {
    const cache = this.#cache;
    if (cache === undefined) return undefined;
    const entry = cache.get(token);
    if (entry === undefined) return undefined;
    if (now < entry.until) {
      if (timeFailure(entry.window, now) === undefined) return entry;
      cache.delete(token);
      // The answer itself now fails a time rule (maxTokenAge, a grandfathered
      // issuer's until): say which, without asking the server again.
      checkTimes(entry.claims, policy, now, false);
      return undefined;
    }
    cache.delete(token);
    return undefined;
  }

  #ask(token: string, policy: CompiledPolicy, now: number, opaque: boolean): Promise<Remembered> {
    const pending = this.#inflight.get(token);
    if (pending !== undefined) return pending;
    // Each distinct token is one request to the server, and inactive answers
    // are not remembered, so a flood of random tokens would otherwise open
    // requests (sockets, timers, tokens in memory) without bound. Beyond the
    // limit a token is refused at once rather than queued: a queue would be
    // unbounded too, and its waiters would time out anyway.
    const limit = this.#settings.maxConcurrent;
    if (this.#inflight.size >= limit) {
      throw new TokenError("introspection_unavailable", {
        hint: `${limit} introspection requests are already in flight, the limit (introspection.maxConcurrent), so this token was not introspected. Either the endpoint is slow to answer (each request waits up to introspection.timeoutMs), or the API receives a flood of distinct unknown tokens; raise introspection.maxConcurrent if this is genuine load`,
        retryAfter: 1,
      });
    }
    const asked = this.#fetchAndCheck(token, policy, now, opaque);
    this.#inflight.set(token, asked);
    const forget = () => {
      this.#inflight.delete(token);
    };
    asked.then(forget, forget);
    return asked;
  }

  async #fetchAndCheck(token: string, policy: CompiledPolicy, now: number, opaque: boolean): Promise<Remembered> {
    const endpoint = await this.#endpoint();
    const exchange = await this.#exchange(endpoint, token);
    if (!exchange.ok) throw exchange.error;
    const { claims, window } = checkAnswer(exchange.body, policy, now, { endpoint, requireIssuer: this.#settings.requireIssuer, opaque });
    const cache = this.#cache;
    const until = Math.min(window.exp, now + (this.#settings.cache?.maxTtlSeconds ?? 0));
    const remembered: Remembered = { claims: deepFreeze(claims), window, until, result: undefined };
    if (cache !== undefined && until > now) cache.set(token, remembered, token.length + 2 * exchange.bytes + ENTRY_OVERHEAD_BYTES);
    return remembered;
  }

  #endpoint(): string | Promise<string> {
    this.#failFastIfDown();
    const configured = this.#settings.endpoint;
    if (configured !== undefined) return configured;
    // One discovery at a time however many requests wait (the locator then remembers the answer for a day).
    this.#locating ??= (this.#locate as () => Promise<string>)().then(
      (endpoint) => {
        this.#locating = undefined;
        return endpoint;
      },
      (error: unknown) => {
        this.#locating = undefined;
        this.#markDown(TokenError.is(error) ? error.hint : "discovery failed");
        throw error;
      },
    );
    return this.#locating;
  }

  async #exchange(endpoint: string, token: string): Promise<Exchange> {
    const { fetch: fetchImpl } = this.#deps;
    const exchange = await requestIntrospection(
      {
        fetch: fetchImpl ?? globalThis.fetch,
        endpoint,
        clientId: this.#settings.clientId,
        auth: this.#settings.auth,
        credentials: this.#credentials,
        limits: this.#settings.limits,
        retryAfter: this.#retryAfter(),
      },
      token,
    );
    if (!exchange.ok && exchange.unreachable) this.#markDown(exchange.error.hint);
    return exchange;
  }

  #failFastIfDown(): void {
    const left = this.#downUntil - this.#deps.nowMs();
    if (left <= 0) return;
    throw new TokenError("introspection_unavailable", {
      hint: `${this.#downBecause} Until it recovers, introspections fail fast for ${duration(Math.ceil(left / 1000))} more (introspection.failureBackoffMs).`,
      retryAfter: this.#retryAfter(),
    });
  }

  #markDown(hint: string): void {
    if (this.#settings.failureBackoffMs <= 0) return;
    this.#downUntil = this.#deps.nowMs() + this.#settings.failureBackoffMs;
    this.#downBecause = hint.endsWith(".") ? hint : `${hint}.`;
  }

  #retryAfter(): number {
    return Math.max(1, Math.ceil(this.#settings.failureBackoffMs / 1000));
  }
}
