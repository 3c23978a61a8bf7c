import { permissionsOf, rolesOf, scopesOf } from "../authz/facts.js";
import { selectBackend } from "../crypto/select.js";
import { ConfigError } from "../errors/config-error.js";
import { list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import { type CompiledIssuers, type CompiledPolicy, compileIssuers } from "../issuers/compile.js";
import { selectIssuer } from "../issuers/select.js";
import { describeType, normalizeMediaType } from "../issuers/typ.js";
import { createJsonFetcher } from "../jwks/fetch-json.js";
import type { KeySourceStatus } from "../jwks/key-source.js";
import type { algorithmSpec } from "../jws/algorithms.js";
import { decodeBase64url, isCanonicalBase64url } from "../jws/base64url.js";
import { checkHeader, type JwsHeader, parseJsonSegment, splitCompact } from "../jws/parse.js";
import { asciiBytes, assertSignature, headerAlgorithm } from "../jws/verify-signature.js";
import type { KeySet } from "../keys/key-set.js";
import type { VerificationKey } from "../keys/verification-key.js";
import { checkAudience, checkKind, checkRegisteredTypes, checkRequiredClaims, checkTimes } from "./check-claims.js";
import type { IssuerInfo, JwtClaims, VerifiedToken, VerifierOptions } from "./types.js";

export interface Verifier {
  /** Verifies a bearer token; rejects with a `TokenError`. */
  verify<C extends JwtClaims = JwtClaims>(token: string): Promise<VerifiedToken<C>>;
  /** The trusted issuers, as configured. */
  readonly issuers: readonly IssuerInfo[];
  /** Fetches every remote JWKS now (at start-up, or for a health check) and reports what each holds. */
  warmUp(): Promise<KeySourceReport[]>;
}

export interface KeySourceReport extends KeySourceStatus {
  readonly issuer: string;
  readonly ok: boolean;
}

const DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;

function malformed(hint: string): TokenError {
  return new TokenError("token_malformed", { hint });
}

function checkType(header: JwsHeader, policy: CompiledPolicy): void {
  if (header.typ === undefined) {
    if (policy.requireType)
      throw new TokenError("type_not_allowed", {
        hint: `the token has no "typ" header; the issuer ${show(policy.issuer)} requires one of ${list([...policy.types])}`,
      });
    return;
  }
  const normalized = normalizeMediaType(header.typ);
  if (policy.types.has(normalized)) return;
  const what = describeType(normalized);
  throw new TokenError("type_not_allowed", {
    hint: `typ ${show(header.typ)}${what === undefined ? "" : ` marks ${what}`}; this API accepts ${list([...policy.types])} from ${show(policy.issuer)} (RFC 8725 §3.11: each kind of JWT gets its own typ, so one cannot pass for another).`,
  });
}

function checkTenant(claims: JwtClaims, policy: CompiledPolicy, tenant: string): void {
  const claimed = claims[policy.tenantClaim];
  if (claimed !== tenant) {
    throw new TokenError("tenant_not_allowed", {
      hint: `the tenant in iss is ${show(tenant)} but the "${policy.tenantClaim}" claim is ${show(claimed)}; they must be equal, or a token from one tenant could pose as another's`,
    });
  }
  if (policy.tenants === "any" || policy.tenants?.has(tenant)) return;
  throw new TokenError("tenant_not_allowed", {
    hint: `tenant ${show(tenant)} is not among the allowed tenants of ${show(policy.issuer)}: ${list([...(policy.tenants ?? [])])}. Add it to tenants if it should get in.`,
  });
}

/**
 * Builds a verifier from issuer policies. All configuration is checked here,
 * at start-up, and a `ConfigError` names the field at fault; nothing is
 * fetched until the first token (or `warmUp`).
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const backend = selectBackend(options?.crypto);
  const fetchJson = options?.fetchJson ?? createJsonFetcher(options?.fetch);
  const issuers: CompiledIssuers = compileIssuers(options, { fetchJson, nowMs: Date.now });
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 64) throw new ConfigError("maxTokenBytes", "must be a whole number of bytes, at least 64");
  const clock = options.now ?? (() => Date.now() / 1000);
  if (typeof clock !== "function") throw new ConfigError("now", "must be a function returning Unix seconds");

  async function resolveKey(policy: CompiledPolicy, alg: NonNullable<ReturnType<typeof algorithmSpec>>, header: JwsHeader): Promise<VerificationKey> {
    const source = policy.keys;
    const pending = source.keys();
    let set: KeySet = pending instanceof Promise ? await pending : pending;
    let selection = set.select(alg, header.kid);
    let refreshNote = "";
    if (selection.key === undefined && header.kid !== undefined && !set.has(header.kid)) {
      // RFC 7517 §4.5 and common practice: a new kid usually means the issuer
      // rotated keys, so the set is fetched again, once per cool-down.
      const refresh = source.refreshForUnknownKid();
      if (refresh === undefined) {
        refreshNote = source.remote ? " The JWKS was fetched moments ago, so it was not fetched again yet (cool-down, jwks.cooldownMs)." : "";
      } else {
        try {
          set = await refresh;
          selection = set.select(alg, header.kid);
          refreshNote = " The JWKS was fetched again to look for it.";
        } catch (error) {
          refreshNote = ` Fetching the JWKS again failed: ${TokenError.is(error) ? error.hint : String(error)}`;
        }
      }
    }
    if (selection.key === undefined) {
      const ignored = set.ignored.length === 0 ? "" : ` Ignored keys: ${set.ignored.slice(0, 5).join("; ")}.`;
      throw new TokenError("key_not_found", {
        hint: `${selection.problem}; ${source.description} holds kids ${list(set.kids)}.${refreshNote}${ignored}${source.remote ? " If the issuer just rotated keys, the new key is picked up once it is published." : ""}`,
      });
    }
    return selection.key;
  }

  async function verify<C extends JwtClaims>(token: string): Promise<VerifiedToken<C>> {
    if (token === undefined || token === null || token === "") throw new TokenError("token_missing", { hint: "verify() was called without a token" });
    if (typeof token !== "string") throw malformed(`the token is a ${typeof token}, not a string`);
    if (token.length > maxTokenBytes) throw malformed(`the token is ${token.length} bytes, over the limit of ${maxTokenBytes} (maxTokenBytes)`);

    const [first, second] = splitCompact(token);
    const header = checkHeader(parseJsonSegment(token.slice(0, first), "header"));
    const claims = parseJsonSegment(token.slice(first + 1, second), "payload (the JWT claims set)") as JwtClaims;
    const signatureSegment = token.slice(second + 1);
    if (!isCanonicalBase64url(signatureSegment)) throw malformed("the signature is not canonical base64url (RFC 7515 §2)");

    const alg = headerAlgorithm(header);

    const now = clock();
    // Every time rule compares with `now`; NaN (a `now` that returns nothing)
    // would make each comparison false and accept expired tokens: fail closed.
    if (typeof now !== "number" || !Number.isFinite(now)) throw new ConfigError("now", `must return Unix seconds as a finite number; it returned ${show(now)}`);
    const { policy, tenant } = selectIssuer(claims.iss, issuers, now);
    if (!policy.algorithms.has(alg.name)) {
      const confusion = alg.family === "HMAC" ? " An HMAC token for an issuer with public keys is the classic algorithm-confusion attack (RFC 8725 §2.1)." : "";
      throw new TokenError("algorithm_not_allowed", {
        hint: `alg ${alg.name} is not allowed for ${show(policy.issuer)}; allowed: ${list([...policy.algorithms.keys()])}.${confusion}`,
      });
    }
    checkType(header, policy);
    if (tenant !== undefined) checkTenant(claims, policy, tenant);

    const key = await resolveKey(policy, alg, header);
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
    const checked = assertSignature(backend, alg, key, asciiBytes(token.slice(0, second)), decodeBase64url(signatureSegment), policy.keys.description);
    if (checked !== undefined) await checked;

    // The token's kind (Cognito's token_use) before its times and audience, so
    // an ID token offered as an access token is refused as such (RFC 8725 §3.11).
    checkKind(claims, policy);
    const expiresAt = checkTimes(claims, policy, now);
    checkAudience(claims, policy);
    checkRegisteredTypes(claims);
    checkRequiredClaims(claims, policy);
    if (policy.check !== undefined) {
      let verdict: Awaited<ReturnType<NonNullable<CompiledPolicy["check"]>>>;
      try {
        verdict = await policy.check({ claims, header, issuer: policy.info });
      } catch (error) {
        if (TokenError.is(error)) throw error;
        throw new TokenError("claim_invalid", { hint: `the issuer policy's check threw: ${error instanceof Error ? error.message : String(error)}` });
      }
      if (verdict === false || typeof verdict === "string") {
        // An empty reason still refuses, and the operator still needs a hint.
        throw new TokenError("claim_invalid", {
          hint: typeof verdict === "string" && verdict !== "" ? verdict : "the issuer policy's check refused the token",
        });
      }
    }

    return Object.freeze({
      claims: Object.freeze(claims) as C,
      header: Object.freeze(header),
      issuer: policy.info,
      scopes: Object.freeze(scopesOf(claims)),
      roles: Object.freeze(rolesOf(claims, policy.facts)),
      permissions: Object.freeze(permissionsOf(claims, policy.facts)),
      subject: typeof claims.sub === "string" ? claims.sub : undefined,
      tenant,
      expiresAt,
    });
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

  return Object.freeze({
    verify,
    warmUp,
    issuers: Object.freeze(issuers.all.map((policy) => policy.info)),
  });
}
