import { resolveCacheOptions } from "../cache/options.js";
import { type CacheStats, VerifiedTokenCache } from "../cache/verified-token-cache.js";
import type { CryptoBackend } from "../crypto/backend.js";
import { selectBackend } from "../crypto/select.js";
import { ConfigError } from "../errors/config-error.js";
import { list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import { isOpaque } from "../introspection/introspector.js";
import { type CompiledIssuers, type CompiledPolicy, compileIssuers } from "../issuers/compile.js";
import { selectIssuer } from "../issuers/select.js";
import { createJsonFetcher } from "../jwks/fetch-json.js";
import type { KeySourceStatus } from "../jwks/key-source.js";
import type { AlgorithmSpec } from "../jws/algorithms.js";
import { decodeCanonical } from "../jws/base64url.js";
import { HeaderCache } from "../jws/header-cache.js";
import { type JwsHeader, parseJsonSegment, splitCompact } from "../jws/parse.js";
import { asciiBytes, assertSignature } from "../jws/verify-signature.js";
import type { VerificationKey } from "../keys/verification-key.js";
import { checkAudience, checkKind, checkRegisteredTypes, checkRequiredClaims, checkTimes, type TimeWindow, timeFailure } from "./check-claims.js";
import { checkTenant, checkType, runCheck } from "./checks.js";
import { deepFreeze } from "./deep-freeze.js";
import { resolveKey } from "./resolve-key.js";
import type { IssuerInfo, JwtClaims, VerifiedToken, VerifierOptions } from "./types.js";
import { VerifiedResult } from "./verified-result.js";

export interface Verifier {
  /** Verifies a bearer token; rejects with a `TokenError`. */
  verify<C extends JwtClaims = JwtClaims>(token: string): Promise<VerifiedToken<C>>;
  /** The trusted issuers, as configured. */
  readonly issuers: readonly IssuerInfo[];
  /** Fetches every remote JWKS now (at start-up, or for a health check) and reports what each holds. */
  warmUp(): Promise<KeySourceReport[]>;
  /** The verified-token cache: entries, estimated bytes, hits and misses (all zero with `cache: false`). */
  cacheStats(): CacheStats;
  /** Internal, for the HTTP adapters: `verify` without the promise when none is needed. */
  readonly [VERIFY_NOW]?: VerifyNow;
}

export interface KeySourceReport extends KeySourceStatus {
  readonly issuer: string;
  readonly ok: boolean;
}

const DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;

/**
 * Where a verifier keeps its synchronous-when-possible verification, for the
 * HTTP adapters (internal: `verify` is the API).
 */
export const VERIFY_NOW: unique symbol = Symbol.for("tokenward.verifyNow");
export type VerifyNow = (token: string) => VerifiedToken | Promise<VerifiedToken>;
const NO_STATS: CacheStats = Object.freeze({ entries: 0, bytes: 0, hits: 0, misses: 0 });
// An estimate of what one cached verification holds beyond the token string:
// parsed claims take about twice their JSON size, plus fixed bookkeeping.
const ENTRY_OVERHEAD_BYTES = 512;

/** A token on its way through the pipeline: what the sync and async halves share. */
interface Pending {
  readonly token: string;
  readonly header: JwsHeader;
  readonly alg: AlgorithmSpec;
  readonly claims: JwtClaims;
  readonly signature: Uint8Array;
  readonly policy: CompiledPolicy;
  readonly tenant: string | undefined;
  readonly now: number;
  /** Index of the second dot: the signing input is token[0, second). */
  readonly second: number;
  readonly payloadLength: number;
  /** The issuer's key version before the key was looked up: a cache entry is only as current as this. */
  readonly keysVersion: number;
}

function malformed(hint: string): TokenError {
  return new TokenError("token_malformed", { hint });
}

/**
 * Builds a verifier from issuer policies. All configuration is checked here,
 * at start-up, and a `ConfigError` names the field at fault; nothing is
 * fetched until the first token (or `warmUp`).
 *
 * Verified tokens are cached by their whole string (`cache: false` turns it
 * off): a repeated token costs one lookup and the re-check of its time claims
 * and of its issuer's key version, never a signature.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const backend: CryptoBackend = selectBackend(options?.crypto);
  const fetchJson = options?.fetchJson ?? createJsonFetcher(options?.fetch);
  // One wall clock for the key sources and the cache's look at them, so a
  // cache hit reads it once (see verifyNow).
  const wallClock = Date.now;
  const issuers: CompiledIssuers = compileIssuers(options, { fetchJson, nowMs: wallClock, fetch: options?.fetch });
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 64) throw new ConfigError("maxTokenBytes", "must be a whole number of bytes, at least 64");
  const clock = options.now ?? (() => wallClock() / 1000);
  if (typeof clock !== "function") throw new ConfigError("now", "must be a function returning Unix seconds");
  const ownClock = options.now === undefined;
  const cacheOptions = resolveCacheOptions(options.cache);
  const cache =
    cacheOptions === undefined ? undefined : new VerifiedTokenCache<VerifiedToken, TimeWindow, NonNullable<CompiledPolicy["check"]>>(cacheOptions, timeFailure);
  const headers = new HeaderCache();

  function readClock(): number {
    const now = clock();
    // Every time rule compares with `now`; NaN (a `now` that returns nothing)
    // would make each comparison false and accept expired tokens: fail closed.
    if (typeof now !== "number" || !Number.isFinite(now)) throw new ConfigError("now", `must return Unix seconds as a finite number; it returned ${show(now)}`);
    return now;
  }

  /** Steps 1-4 of the pipeline (ARCHITECTURE.md): everything decided before a key is needed. */
  function prepare(token: string, now: number): Pending {
    if (token.length > maxTokenBytes) throw malformed(`the token is ${token.length} bytes, over the limit of ${maxTokenBytes} (maxTokenBytes)`);
    const [first, second] = splitCompact(token);
    const { header, alg, type } = headers.read(token.slice(0, first));
    const claims = parseJsonSegment(token.slice(first + 1, second), "payload (the JWT claims set)") as JwtClaims;
    const signature = decodeCanonical(token.slice(second + 1));
    if (signature === undefined) throw malformed("the signature is not canonical base64url (RFC 7515 §2)");

    const { policy, tenant } = selectIssuer(claims.iss, issuers, now);
    if (!policy.algorithms.has(alg.name)) {
      const confusion = alg.family === "HMAC" ? " An HMAC token for an issuer with public keys is the classic algorithm-confusion attack (RFC 8725 §2.1)." : "";
      throw new TokenError("algorithm_not_allowed", {
        hint: `alg ${alg.name} is not allowed for ${show(policy.issuer)}; allowed: ${list([...policy.algorithms.keys()])}.${confusion}`,
      });
    }
    checkType(header, type, policy);
    if (tenant !== undefined) checkTenant(claims, policy, tenant);
    return { token, header, alg, claims, signature, policy, tenant, now, second, payloadLength: second - first, keysVersion: policy.keys.version };
  }

  /** Steps 5-6: the key's own issuer, then the signature. */
  function checkSigned(pending: Pending, key: VerificationKey): VerifiedToken | Promise<VerifiedToken> {
    const { token, policy, tenant, claims } = pending;
    if (key.issuer !== undefined) {
      // Entra publishes the issuer each key signs for; a key of one tenant (or
      // cloud) must not vouch for another's iss.
      const expected = tenant === undefined ? key.issuer : key.issuer.replace("{tenantid}", tenant);
      if (expected !== claims.iss) {
        throw new TokenError("key_not_found", {
          hint: `key ${show(key.kid)} is published for issuer ${show(key.issuer)}, but the token's iss is ${show(claims.iss)}`,
        });
      }
    }
    const checked = assertSignature(backend, pending.alg, key, asciiBytes(token, pending.second), pending.signature, policy.keys.description);
    return checked === undefined ? accept(pending) : checked.then(() => accept(pending));
  }

  /** Steps 7-8: claims, the policy's check, then the frozen result (cached). */
  function accept(pending: Pending): VerifiedToken | Promise<VerifiedToken> {
    const { claims, policy, now } = pending;
    // The token's kind (Cognito's token_use) before its times and audience, so
    // an ID token offered as an access token is refused as such (RFC 8725 §3.11).
    checkKind(claims, policy);
    const times = checkTimes(claims, policy, now);
    checkAudience(claims, policy);
    checkRegisteredTypes(claims);
    checkRequiredClaims(claims, policy);
    // introspectJwts: the issuer's server must still call the token active
    // (RFC 7662), before the policy's check, and again on every cache hit.
    const check = policy.introspection?.introspectJwts === true ? policy.introspection.checkFor(pending.token, policy, readClock) : policy.check;
    if (check === undefined) return finish(pending, times, check);
    // Frozen before the check, as a cache hit hands it frozen claims too.
    const checked = runCheck(check, { claims: deepFreeze(claims), header: pending.header, issuer: policy.info });
    return checked === undefined ? finish(pending, times, check) : checked.then(() => finish(pending, times, check));
  }

  function finish(pending: Pending, times: TimeWindow, check: CompiledPolicy["check"]): VerifiedToken {
    const { policy } = pending;
    const result = new VerifiedResult(pending.claims, pending.header, policy.info, policy.facts, pending.tenant, times.exp);
    cache?.store(
      pending.token,
      result,
      times,
      policy.keys,
      pending.keysVersion,
      check,
      pending.now,
      pending.token.length + 2 * pending.payloadLength + ENTRY_OVERHEAD_BYTES,
    );
    return result;
  }

  function verifyFresh(token: string, now: number): VerifiedToken | Promise<VerifiedToken> {
    // Not a compact JWS: an opaque token, for the issuer configured to introspect them (RFC 7662).
    const opaque = issuers.opaque;
    if (opaque !== undefined && isOpaque(token)) return opaque.introspection.verifyOpaque(token, opaque, now, maxTokenBytes);
    const pending = prepare(token, now);
    const key = resolveKey(pending.policy.keys, pending.alg, pending.header.kid);
    return key instanceof Promise ? key.then((resolved) => checkSigned(pending, resolved)) : checkSigned(pending, key);
  }

  /**
   * The verification, answered synchronously whenever nothing needs waiting
   * for (a cache hit; a miss with the keys cached and node:crypto), so an
   * adapter need not wait a turn of the event loop; it throws where `verify`
   * would reject.
   */
  function verifyNow(token: string): VerifiedToken | Promise<VerifiedToken> {
    if (token === undefined || token === null || token === "") throw new TokenError("token_missing", { hint: "verify() was called without a token" });
    if (typeof token !== "string") throw malformed(`the token is a ${typeof token}, not a string`);
    // Without a clock of the caller's, the time claims and the key source's
    // freshness are judged from one reading of the wall clock.
    const ms = wallClock();
    const now = ownClock ? ms / 1000 : readClock();
    if (cache !== undefined) {
      const hit = cache.lookup(token, now, ms);
      if (hit !== undefined) {
        const result = hit.result;
        // A hit still runs the policy's `check` (see runCheck).
        if (hit.recheck === undefined) return result;
        const checked = runCheck(hit.recheck, { claims: result.claims, header: result.header, issuer: result.issuer });
        return checked === undefined ? result : checked.then(() => result);
      }
    }
    return verifyFresh(token, now);
  }

  function verify<C extends JwtClaims>(token: string): Promise<VerifiedToken<C>> {
    try {
      const result = verifyNow(token);
      return (result instanceof Promise ? result : Promise.resolve(result)) as Promise<VerifiedToken<C>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async function warmUp(): Promise<KeySourceReport[]> {
    const seen = new Set<unknown>();
    const reports: KeySourceReport[] = [];
    for (const policy of issuers.all) {
      if (seen.has(policy.keys)) continue;
      seen.add(policy.keys);
      let ok = true;
      try {
        const pending = policy.keys.keys();
        if (pending instanceof Promise) await pending;
      } catch {
        ok = false;
      }
      reports.push({ issuer: policy.issuer, ok, ...policy.keys.status() });
    }
    return reports;
  }

  const verifier: Verifier = {
    verify,
    warmUp,
    cacheStats: () => cache?.stats() ?? NO_STATS,
    issuers: Object.freeze(issuers.all.map((policy) => policy.info)),
  };
  // Not enumerable: a wrapper such as `{ ...verifier, verify: logged }` must
  // not carry it along, or adapters would bypass the wrapper's verify.
  Object.defineProperty(verifier, VERIFY_NOW, { value: verifyNow, enumerable: false });
  return Object.freeze(verifier);
}
