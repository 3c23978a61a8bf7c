import { DEFAULT_PERMISSION_CLAIMS, DEFAULT_ROLE_CLAIMS, type FactsConfig } from "../authz/facts.js";
import { ConfigError } from "../errors/config-error.js";
import { Introspector } from "../introspection/introspector.js";
import { resolveIntrospection } from "../introspection/options.js";
import type { JsonFetcher } from "../jwks/fetch-json.js";
import { type KeySource, StaticKeySource } from "../jwks/key-source.js";
import { JWKS_DEFAULTS, type JwksOptions, type ResolvedJwksOptions } from "../jwks/options.js";
import { RemoteKeySource } from "../jwks/remote-key-source.js";
import { fetchUrlProblem } from "../jwks/url-policy.js";
import { ALGORITHMS, type Algorithm, type AlgorithmSpec, algorithmSpec, DEFAULT_ALGORITHMS } from "../jws/algorithms.js";
import { encodeBase64url } from "../jws/base64url.js";
import { KeySet, KeySetFormatError } from "../keys/key-set.js";
import type { ClaimExpectation, IssuerInfo, IssuerPolicy, VerifierOptions } from "../verifier/types.js";
import { createDiscoveryLocator, discoveryUrls } from "./discovery.js";
import { type IssuerTemplate, parseTemplate, TENANT_PLACEHOLDER } from "./template.js";
import { DEFAULT_TYPES, normalizeMediaType } from "./typ.js";

/** An issuer policy checked and prepared once, at start-up. */
export interface CompiledPolicy {
  readonly info: IssuerInfo;
  readonly issuer: string;
  readonly template: IssuerTemplate | undefined;
  readonly audiences: ReadonlySet<string> | undefined;
  readonly audienceClaim: string;
  readonly algorithms: ReadonlyMap<string, AlgorithmSpec>;
  readonly types: ReadonlySet<string>;
  readonly requireType: boolean;
  readonly clockTolerance: number;
  readonly maxTokenAge: number | undefined;
  readonly requiredClaims: readonly string[];
  readonly claimRules: readonly (readonly [string, ClaimExpectation])[];
  readonly check: IssuerPolicy["check"];
  /** Claims that name the kind of token (`kindClaims`), checked before times and audience. */
  readonly kindClaims: readonly (readonly [string, string])[];
  /** For templates: the allowed tenants, or "any" when explicitly opened to all. */
  readonly tenants: ReadonlySet<string> | "any" | undefined;
  readonly tenantClaim: string;
  /** Unix seconds after which a grandfathered issuer is refused. */
  readonly until: number | undefined;
  readonly keys: KeySource;
  readonly facts: FactsConfig;
  /** RFC 7662 introspection at this issuer, when configured. */
  readonly introspection: Introspector | undefined;
}

export interface CompiledIssuers {
  readonly exact: ReadonlyMap<string, CompiledPolicy>;
  readonly templates: readonly CompiledPolicy[];
  readonly all: readonly CompiledPolicy[];
  /** The policy whose server introspects opaque tokens (tokens that are not a compact JWS), if any. */
  readonly opaque: (CompiledPolicy & { readonly introspection: Introspector }) | undefined;
}

interface Dependencies {
  readonly fetchJson: JsonFetcher;
  readonly nowMs: () => number;
  /** For introspection requests (POST); the global fetch when undefined. */
  readonly fetch?: typeof fetch | undefined;
}

const encoder = new TextEncoder();

function nonNegative(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new ConfigError(field, `must be a finite number of seconds, 0 or more; got ${String(value)}`);
  return value;
}

function stringList(field: string, value: unknown): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string" && item !== "")) {
    throw new ConfigError(field, "must be a non-empty string or a non-empty array of non-empty strings");
  }
  return list as string[];
}

/** Layers are [field, options] pairs, so an error names the option where it was set (`jwks.x` or `issuers[i].jwksOptions.x`). */
function resolveJwksOptions(...layers: (readonly [string, JwksOptions | undefined])[]): ResolvedJwksOptions {
  const merged: Record<string, number> = { ...JWKS_DEFAULTS };
  for (const [field, layer] of layers) {
    if (layer === undefined) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (!Object.hasOwn(JWKS_DEFAULTS, name)) throw new ConfigError(`${field}.${name}`, `unknown option; known: ${Object.keys(JWKS_DEFAULTS).join(", ")}`);
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${field}.${name}`, "must be a positive number");
      merged[name] = value;
    }
  }
  return merged as unknown as ResolvedJwksOptions;
}

function parseUntil(field: string, value: IssuerPolicy["until"]): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value * 1000 : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ConfigError(field, `must be a Date, an ISO 8601 date string or Unix seconds; got ${String(value)}`);
  return Math.floor(ms / 1000);
}

function secretKeySet(field: string, secret: NonNullable<IssuerPolicy["secret"]>): KeySet {
  const entries = typeof secret === "string" || secret instanceof Uint8Array ? [{ kid: undefined, secret }] : secret;
  if (!Array.isArray(entries) || entries.length === 0) throw new ConfigError(field, "must be a string, a Uint8Array, or a non-empty array of { kid, secret }");
  const keys = entries.map((entry, index) => {
    const bytes = typeof entry.secret === "string" ? encoder.encode(entry.secret) : entry.secret;
    if (!(bytes instanceof Uint8Array)) throw new ConfigError(`${field}[${index}].secret`, "must be a string or a Uint8Array");
    // RFC 7518 §3.2: "A key of the same size as the hash output ... or larger MUST be used".
    if (bytes.length < 32)
      throw new ConfigError(field, `an HMAC secret of ${bytes.length} bytes is too short; HS256 needs at least 32 random bytes (RFC 7518 §3.2)`);
    return { kty: "oct", k: encodeBase64url(bytes), ...(entry.kid === undefined ? {} : { kid: entry.kid }) };
  });
  return KeySet.fromJwks({ keys }, { symmetric: true, maxKeys: keys.length, kidlessMatchesAnyKid: true });
}

class Compiler {
  private readonly remote = new Map<string, RemoteKeySource>();

  constructor(
    private readonly options: VerifierOptions,
    private readonly deps: Dependencies,
  ) {}

  compile(): CompiledIssuers {
    const { issuers } = this.options;
    if (!Array.isArray(issuers) || issuers.length === 0) throw new ConfigError("issuers", "configure at least one trusted issuer");
    const flat: [string, IssuerPolicy][] = [];
    for (const [index, entry] of issuers.entries()) {
      if (Array.isArray(entry)) {
        for (const [inner, policy] of entry.entries()) flat.push([`issuers[${index}][${inner}]`, policy]);
      } else {
        flat.push([`issuers[${index}]`, entry as IssuerPolicy]);
      }
    }
    const exact = new Map<string, CompiledPolicy>();
    const templates: CompiledPolicy[] = [];
    const all: CompiledPolicy[] = [];
    let opaque: [string, CompiledPolicy & { readonly introspection: Introspector }] | undefined;
    for (const [field, policy] of flat) {
      const compiled = this.policy(field, policy);
      if (exact.has(compiled.issuer) || templates.some((other) => other.issuer === compiled.issuer)) {
        throw new ConfigError(`${field}.issuer`, `${JSON.stringify(compiled.issuer)} is configured twice; merge the two policies`);
      }
      if (compiled.template === undefined) exact.set(compiled.issuer, compiled);
      else templates.push(compiled);
      all.push(compiled);
      const introspection = compiled.introspection;
      if (introspection?.opaqueTokens === true) {
        // An opaque token names no issuer, so exactly one server may be asked
        // about it: asking several would send every token to all of them.
        if (opaque !== undefined) {
          throw new ConfigError(
            `${field}.introspection.opaqueTokens`,
            `${opaque[0]} (${JSON.stringify(opaque[1].issuer)}) already takes opaque tokens, and an opaque token does not say who issued it; set introspection.opaqueTokens: false on all issuers but the one whose server issues them`,
          );
        }
        opaque = [field, compiled as CompiledPolicy & { readonly introspection: Introspector }];
      }
    }
    return { exact, templates, all, opaque: opaque?.[1] };
  }

  private policy(field: string, policy: IssuerPolicy): CompiledPolicy {
    if (typeof policy !== "object" || policy === null) throw new ConfigError(field, "must be an issuer policy object");
    const { issuer } = policy;
    if (typeof issuer !== "string" || issuer === "") throw new ConfigError(`${field}.issuer`, "must be the exact iss value of the issuer's tokens");
    if (issuer.trim() !== issuer)
      throw new ConfigError(`${field}.issuer`, `${JSON.stringify(issuer)} has leading or trailing whitespace; no token's iss would ever match`);

    const template = parseTemplate(issuer);
    let tenants: CompiledPolicy["tenants"];
    if (template !== undefined) {
      if (issuer.indexOf(TENANT_PLACEHOLDER, issuer.indexOf(TENANT_PLACEHOLDER) + 1) !== -1)
        throw new ConfigError(`${field}.issuer`, `a template may contain ${TENANT_PLACEHOLDER} once`);
      if (policy.dangerouslyAcceptAnyTenant === true) {
        if (policy.tenants !== undefined) throw new ConfigError(`${field}.tenants`, "set either tenants or dangerouslyAcceptAnyTenant, not both");
        tenants = "any";
      } else {
        if (policy.tenants === undefined) {
          throw new ConfigError(
            `${field}.tenants`,
            `the issuer is a multi-tenant template; list the accepted tenants (tenants: ["<tenant id>"]), or set dangerouslyAcceptAnyTenant: true to let every tenant of this provider in`,
          );
        }
        tenants = new Set(stringList(`${field}.tenants`, policy.tenants));
      }
    } else if (policy.tenants !== undefined || policy.dangerouslyAcceptAnyTenant !== undefined) {
      throw new ConfigError(`${field}.tenants`, `tenants apply to an issuer template containing ${TENANT_PLACEHOLDER}; ${JSON.stringify(issuer)} is not one`);
    }

    let audiences: Set<string> | undefined;
    if (policy.dangerouslyAcceptAnyAudience === true) {
      if (policy.audience !== undefined) throw new ConfigError(`${field}.audience`, "set either audience or dangerouslyAcceptAnyAudience, not both");
    } else {
      if (policy.audience === undefined) {
        throw new ConfigError(
          `${field}.audience`,
          "required: the identifier of this API as the issuer puts it in aud (set dangerouslyAcceptAnyAudience: true to accept tokens meant for any API)",
        );
      }
      audiences = new Set(stringList(`${field}.audience`, policy.audience));
    }

    const allowInsecureHttp = policy.dangerouslyAllowInsecureHttp === true;
    const sources = (["secret", "jwks", "jwksUri"] as const).filter((name) => policy[name] !== undefined);
    if (sources.length > 1) {
      throw new ConfigError(
        `${field}.${sources[1]}`,
        `configure one key source per issuer, not ${sources.join(" and ")} (mixing secrets and public keys invites algorithm confusion, RFC 8725 §2.1)`,
      );
    }
    const symmetric = policy.secret !== undefined;

    const algorithms = this.algorithms(field, policy, symmetric);
    const keys = this.keySource(field, policy, template, allowInsecureHttp, algorithms);

    const types = policy.types ?? this.options.types ?? DEFAULT_TYPES;
    const typeSet = new Set(stringList(`${field}.types`, types).map(normalizeMediaType));

    const claims = policy.claims ?? {};
    const claimRules = Object.entries(claims).map(([name, expectation]) => {
      if (!["string", "number", "boolean", "function"].includes(typeof expectation)) {
        throw new ConfigError(`${field}.claims.${name}`, "must be a string, number or boolean to compare, or a predicate function");
      }
      return [name, expectation] as const;
    });
    if (policy.check !== undefined && typeof policy.check !== "function") throw new ConfigError(`${field}.check`, "must be a function");

    const jwksUri = policy.jwksUri;
    const introspection = this.introspection(field, policy, template !== undefined, allowInsecureHttp);
    const info: IssuerInfo = Object.freeze({
      issuer,
      name: policy.name ?? issuer,
      audiences: Object.freeze(audiences === undefined ? [] : [...audiences]),
      jwksUri,
    });

    return {
      info,
      issuer,
      template,
      audiences,
      audienceClaim: policy.audienceClaim ?? "aud",
      algorithms,
      types: typeSet,
      requireType: policy.requireType === true,
      clockTolerance: nonNegative(`${field}.clockTolerance`, policy.clockTolerance, nonNegative("clockTolerance", this.options.clockTolerance, 5)),
      maxTokenAge: policy.maxTokenAge === undefined ? undefined : nonNegative(`${field}.maxTokenAge`, policy.maxTokenAge, 0),
      requiredClaims: policy.requiredClaims === undefined ? [] : stringList(`${field}.requiredClaims`, policy.requiredClaims),
      claimRules,
      check: policy.check,
      kindClaims: this.kindClaims(field, policy.kindClaims),
      tenants,
      tenantClaim: policy.tenantClaim ?? "tid",
      until: parseUntil(`${field}.until`, policy.until),
      keys,
      facts: {
        roleClaims: policy.roleClaims ?? DEFAULT_ROLE_CLAIMS,
        permissionClaims: policy.permissionClaims ?? DEFAULT_PERMISSION_CLAIMS,
        resourceAccessClients: policy.resourceAccessClients === undefined ? [] : stringList(`${field}.resourceAccessClients`, policy.resourceAccessClients),
      },
      introspection,
    };
  }

  private introspection(field: string, policy: IssuerPolicy, isTemplate: boolean, allowInsecureHttp: boolean): Introspector | undefined {
    if (policy.introspection === undefined) return undefined;
    const { settings, credentials } = resolveIntrospection(`${field}.introspection`, policy.introspection, {
      issuer: policy.issuer,
      isTemplate,
      discoveryUrl: policy.discoveryUrl,
      allowInsecureHttp,
    });
    return new Introspector(settings, credentials, { fetch: this.deps.fetch, fetchJson: this.deps.fetchJson, nowMs: this.deps.nowMs });
  }

  private kindClaims(field: string, kindClaims: IssuerPolicy["kindClaims"]): (readonly [string, string])[] {
    if (kindClaims === undefined) return [];
    if (typeof kindClaims !== "object" || kindClaims === null)
      throw new ConfigError(`${field}.kindClaims`, 'must map claim names to values, e.g. { token_use: "access" }');
    return Object.entries(kindClaims).map(([name, value]) => {
      if (typeof value !== "string" || value === "") throw new ConfigError(`${field}.kindClaims.${name}`, "must be a non-empty string");
      return [name, value] as const;
    });
  }

  private algorithms(field: string, policy: IssuerPolicy, symmetric: boolean): Map<string, AlgorithmSpec> {
    const configured = policy.algorithms ?? this.options.algorithms;
    const names: readonly string[] = configured ?? (symmetric ? ["HS256", "HS384", "HS512"] : DEFAULT_ALGORITHMS);
    const where = policy.algorithms !== undefined ? `${field}.algorithms` : "algorithms";
    if (!Array.isArray(names) || names.length === 0) throw new ConfigError(where, "must list at least one algorithm");
    const map = new Map<string, AlgorithmSpec>();
    for (const name of names) {
      if (typeof name === "string" && name.toLowerCase() === "none")
        throw new ConfigError(where, '"none" means unsigned tokens and is never allowed (RFC 8725 §3.1)');
      const spec = algorithmSpec(name);
      if (spec === undefined) throw new ConfigError(where, `unknown algorithm ${JSON.stringify(name)}; known: ${Object.keys(ALGORITHMS).join(", ")}`);
      if (spec.family === "HMAC" && !symmetric)
        throw new ConfigError(where, `${name} is HMAC: it needs a shared secret (the issuer's secret option), never a public JWKS`);
      if (spec.family !== "HMAC" && symmetric)
        throw new ConfigError(where, `${name} is asymmetric, but this issuer is configured with a secret; HMAC issuers allow HS256, HS384 and HS512 only`);
      map.set(name, spec);
    }
    return map;
  }

  private keySource(
    field: string,
    policy: IssuerPolicy,
    template: IssuerTemplate | undefined,
    allowInsecureHttp: boolean,
    algorithms: ReadonlyMap<string, AlgorithmSpec>,
  ): KeySource {
    if (policy.secret !== undefined) {
      const set = secretKeySet(`${field}.secret`, policy.secret);
      const shortest = Math.min(...set.keys.map((key) => key.secretBytes));
      for (const spec of algorithms.values()) {
        if (policy.algorithms !== undefined && spec.hashBytes > shortest) {
          throw new ConfigError(`${field}.secret`, `${spec.name} needs secrets of at least ${spec.hashBytes} bytes (RFC 7518 §3.2); one is ${shortest}`);
        }
      }
      return new StaticKeySource(set, "the configured HMAC secret");
    }
    if (policy.jwks !== undefined) {
      let set: KeySet;
      try {
        set = KeySet.fromJwks(policy.jwks, { symmetric: false, maxKeys: 1000 });
      } catch (error) {
        if (error instanceof KeySetFormatError) throw new ConfigError(`${field}.jwks`, `${error.message}; pass { keys: [...] } with public JWKs`);
        throw error;
      }
      if (set.keys.length === 0) throw new ConfigError(`${field}.jwks`, `no usable key: ${set.ignored.join("; ") || "the set is empty"}`);
      return new StaticKeySource(set, "the configured jwks");
    }
    const jwksOptions = resolveJwksOptions(["jwks", this.options.jwks], [`${field}.jwksOptions`, policy.jwksOptions]);
    if (policy.jwksUri !== undefined) {
      if (typeof policy.jwksUri !== "string") throw new ConfigError(`${field}.jwksUri`, "must be a URL string");
      const problem = fetchUrlProblem(policy.jwksUri, allowInsecureHttp);
      if (problem !== undefined) throw new ConfigError(`${field}.jwksUri`, problem);
      if (policy.discoveryUrl !== undefined) throw new ConfigError(`${field}.discoveryUrl`, "not needed with jwksUri; set one of them");
      return this.shared(`jwks ${policy.jwksUri} ${JSON.stringify(jwksOptions)}`, () => {
        const uri = policy.jwksUri as string;
        return new RemoteKeySource(`the JWKS at ${uri}`, () => uri, this.deps.fetchJson, jwksOptions, this.deps.nowMs);
      });
    }
    let urls: string[];
    if (policy.discoveryUrl !== undefined) {
      const problem = fetchUrlProblem(policy.discoveryUrl, allowInsecureHttp);
      if (problem !== undefined) throw new ConfigError(`${field}.discoveryUrl`, problem);
      urls = [policy.discoveryUrl];
    } else {
      if (template !== undefined)
        throw new ConfigError(`${field}.jwksUri`, `a multi-tenant template cannot be discovered from; set jwksUri (or discoveryUrl) for ${policy.issuer}`);
      const problem = fetchUrlProblem(policy.issuer, allowInsecureHttp);
      if (problem !== undefined)
        throw new ConfigError(`${field}.issuer`, `keys are discovered from the issuer when no jwksUri, jwks or secret is set, but ${problem}`);
      urls = discoveryUrls(policy.issuer);
    }
    return this.shared(`discovery ${policy.issuer} ${urls.join(" ")} ${JSON.stringify(jwksOptions)}`, () => {
      const locate = createDiscoveryLocator({
        issuer: policy.issuer,
        urls,
        fetchJson: this.deps.fetchJson,
        limits: { timeoutMs: jwksOptions.timeoutMs, maxBytes: jwksOptions.maxBytes },
        allowInsecureHttp,
        now: this.deps.nowMs,
      });
      return new RemoteKeySource(`the JWKS discovered from ${urls[0]}`, locate, this.deps.fetchJson, jwksOptions, this.deps.nowMs);
    });
  }

  /** Issuers that share a JWKS URL (Google's two spellings, Cognito's two hosts, Entra tenants) share one cache. */
  private shared(key: string, create: () => RemoteKeySource): RemoteKeySource {
    let source = this.remote.get(key);
    if (source === undefined) {
      source = create();
      this.remote.set(key, source);
    }
    return source;
  }
}

export function compileIssuers(options: VerifierOptions, deps: Dependencies): CompiledIssuers {
  if (typeof options !== "object" || options === null) throw new ConfigError("options", "createVerifier needs an options object with issuers");
  return new Compiler(options, deps).compile();
}

export type { Algorithm };
