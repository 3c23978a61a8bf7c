// Cross App Access, authorization server role: `trustedIdentityProviders`
// (whose ID-JAGs this server redeems with the jwt-bearer grant) and `idJag`
// (how they are accepted), checked field by field and defaulted as types.ts
// documents. Draft references are to draft-ietf-oauth-identity-assertion-authz-grant,
// the editor's copy after -03 (oauth-wg main, 2026-04-22).

import { type AsymmetricAlgorithm, ConfigError, createVerifier, DEFAULT_ALGORITHMS } from "tokenward";
import { JWT_BEARER } from "../id-jag/constants.js";
import type { Checker, Fields } from "./checker.js";
import { closest } from "./did-you-mean.js";
import { isLoopbackHost } from "./loopback.js";
import { child } from "./path.js";
import { IDENTITY_PROVIDER_KEYS, readPublicJwks } from "./public-jwks.js";
import type { ResolvedClient, ResolvedConfig, ResolvedTrustedIdentityProvider } from "./types.js";

export interface TrustContext {
  /** This server's issuer identifier, when valid. */
  readonly issuer: string | undefined;
  /** This server's own JWKS URL, when the issuer is valid. */
  readonly ownJwksUri: string | undefined;
  /** The resolved clients, when they all are valid. */
  readonly clients: ReadonlyMap<string, ResolvedClient> | undefined;
}

export type ResolvedTrust = Pick<ResolvedConfig, "trustedIdentityProviders" | "idJag">;

type Subject = ResolvedTrustedIdentityProvider["subject"];
type AccountRule = Subject["accounts"][number];

const PROVIDER_FIELDS = ["issuer", "jwksUri", "jwks", "algorithms", "clients", "subject"];
const SUBJECT_FIELDS = ["prefix", "accounts", "unmatched"];
const MATCH_FIELDS = ["sub", "email", "tenant"] as const;
const MAX_PROVIDERS = 100;
const MAX_ACCOUNTS = 10_000;
/** RFC 7518 §3.1, RFC 8037 §3.1: the key type each algorithm verifies with. */
const KEY_TYPE: Readonly<Record<AsymmetricAlgorithm, string>> = {
  RS256: "RSA",
  RS384: "RSA",
  RS512: "RSA",
  PS256: "RSA",
  PS384: "RSA",
  PS512: "RSA",
  ES256: "EC",
  ES384: "EC",
  ES512: "EC",
  EdDSA: "OKP",
  Ed25519: "OKP",
};
// tokenward reads "{tenantid}" in an issuer as a multi-tenant template; a trusted IdP is one exact issuer.
const TEMPLATE = "{tenantid}";

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** https, or http on loopback (CONTRACT.md); no credentials, no fragment. */
function fetchableProblem(value: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not an absolute URL; give the https URL of the ${what}`;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return "must be https, or http on a loopback host (localhost, 127.0.0.1 or [::1]): anyone on the path could swap the keys otherwise";
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@); they end up in logs";
  if (value.includes("#")) return "must not have a #fragment, which no server sees";
  return undefined;
}

/**
 * The IdP's issuer identifier is compared byte for byte with the ID-JAG's
 * iss (draft §3.1: iss is an RFC 8414 issuer identifier), so it is kept as
 * written; only what can never be an issuer is refused (RFC 8414 §2: https,
 * no query, no fragment).
 */
function trustedIssuerProblem(value: string): string | undefined {
  if (value === "") return 'must be the identity provider\'s issuer identifier, e.g. "https://idp.example.com"';
  if (value.length > 2048) return "is longer than 2048 characters";
  if (value.trim() !== value) return "has leading or trailing whitespace; iss is compared byte for byte, so no ID-JAG would ever match";
  if (value.includes(TEMPLATE)) return `must not contain ${TEMPLATE}: trust each tenant's issuer exactly, one entry per issuer`;
  if (value.includes("?")) return "must not have a query (?...); RFC 8414 §2";
  const problem = fetchableProblem(value, "identity provider");
  if (problem !== undefined) return problem.replace("swap the keys", "impersonate the identity provider");
  return undefined;
}

function readAlgorithms(checker: Checker, path: string, value: unknown): AsymmetricAlgorithm[] | undefined {
  return checker.list(path, value, { minItems: 1, unique: true, what: "signing algorithms" }, (itemPath, item) => {
    if (typeof item === "string" && (/^HS\d+$/i.test(item) || item.toLowerCase() === "none")) {
      // RFC 8725 §2.1, §3.1: an HMAC or unsigned assertion could be made by anyone holding (or guessing) the secret.
      checker.report(
        itemPath,
        `${JSON.stringify(item)} is never accepted: an ID-JAG must be signed with the identity provider's private key; use one of ${DEFAULT_ALGORITHMS.join(", ")}`,
      );
      return undefined;
    }
    return checker.oneOf(itemPath, item, DEFAULT_ALGORITHMS);
  });
}

function readClients(checker: Checker, path: string, value: unknown, clients: ReadonlyMap<string, ResolvedClient> | undefined): Set<string> | undefined {
  if (value === undefined) {
    if (clients === undefined) return undefined;
    return new Set([...clients.values()].filter((client) => client.grantTypes.has(JWT_BEARER)).map((client) => client.clientId));
  }
  const ids = checker.list(path, value, { minItems: 1, unique: true, what: "client ids" }, (itemPath, item) => {
    const id = checker.string(itemPath, item);
    if (id === undefined || clients === undefined) return id;
    const client = clients.get(id);
    if (client === undefined) {
      const guess = closest(id, clients.keys());
      checker.report(itemPath, `${JSON.stringify(id)} is not a configured clientId${guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`}`);
      return undefined;
    }
    if (!client.grantTypes.has(JWT_BEARER)) {
      checker.report(itemPath, `client ${JSON.stringify(id)} may not use the jwt-bearer grant; add "${JWT_BEARER}" to its grantTypes`);
      return undefined;
    }
    return id;
  });
  return ids === undefined ? undefined : new Set(ids);
}

function textProblem(max: number, example: string) {
  return (text: string): string | undefined => {
    if (text === "" || text.length > max) return `must be 1 to ${max} characters, e.g. ${example}`;
    if (hasControlCharacter(text)) return "must not contain control characters (it is written into tokens and logs)";
    return undefined;
  };
}

function readAccount(checker: Checker, path: string, value: unknown): AccountRule | undefined {
  const fields = checker.object(path, value, ["match", "subject"]);
  if (fields === undefined) return undefined;
  let match: AccountRule["match"] | undefined;
  if (fields.match === undefined) checker.report(child(path, "match"), 'required: the claims that identify the user, e.g. { "email": "ada@example.com" }');
  else {
    const matchBefore = checker.problems.length;
    const matchFields = checker.object(child(path, "match"), fields.match, MATCH_FIELDS);
    if (matchFields !== undefined) {
      const entries: [string, string][] = [];
      // An unknown field (a typo of one below) is already reported: no second problem for the same mistake.
      let ok = checker.problems.length === matchBefore;
      for (const name of MATCH_FIELDS) {
        if (matchFields[name] === undefined) continue;
        const text = checker.string(child(child(path, "match"), name), matchFields[name], textProblem(1024, '"U019488227"'));
        if (text === undefined) ok = false;
        else entries.push([name, text]);
      }
      if (ok && entries.length === 0) {
        checker.report(child(path, "match"), "names no claim; give sub, email and/or tenant (a rule matching everyone would map every user to one account)");
      } else if (ok) match = Object.fromEntries(entries) as AccountRule["match"];
    }
  }
  let subject: string | undefined;
  if (fields.subject === undefined) checker.report(child(path, "subject"), 'required: the local subject the access token carries, e.g. "user-42"');
  else subject = checker.string(child(path, "subject"), fields.subject, textProblem(255, '"user-42"'));
  if (match === undefined || subject === undefined) return undefined;
  return { match, subject };
}

function readSubject(checker: Checker, path: string, value: unknown): Subject | undefined {
  if (value === undefined) return { prefix: "", accounts: [], unmatched: "sub" };
  const fields = checker.object(path, value, SUBJECT_FIELDS);
  if (fields === undefined) return undefined;
  const prefix =
    fields.prefix === undefined
      ? ""
      : checker.string(child(path, "prefix"), fields.prefix, (text) =>
          text.length > 100 || hasControlCharacter(text) ? 'must be at most 100 characters without control characters, e.g. "okta|"' : undefined,
        );
  const accounts =
    fields.accounts === undefined
      ? []
      : checker.list(
          child(path, "accounts"),
          fields.accounts,
          { minItems: 0, maxItems: MAX_ACCOUNTS, unique: false, what: "account rules" },
          (itemPath, item) => readAccount(checker, itemPath, item),
        );
  const unmatched = fields.unmatched === undefined ? "sub" : checker.oneOf(child(path, "unmatched"), fields.unmatched, ["sub", "refuse"] as const);
  if (unmatched === "refuse" && accounts !== undefined && accounts.length === 0) {
    checker.report(child(path, "unmatched"), 'is "refuse" and no account rule is configured, so every user would be refused; add accounts, or use "sub"');
    return undefined;
  }
  if (prefix === undefined || accounts === undefined || unmatched === undefined) return undefined;
  return { prefix, accounts: Object.freeze(accounts), unmatched };
}

function readProvider(checker: Checker, path: string, value: unknown, context: TrustContext): ResolvedTrustedIdentityProvider | undefined {
  const before = checker.problems.length;
  const fields = checker.object(path, value, PROVIDER_FIELDS);
  if (fields === undefined) return undefined;
  const at = (name: string) => child(path, name);

  let issuer: string | undefined;
  if (fields.issuer === undefined)
    checker.report(at("issuer"), 'required: the identity provider\'s issuer, exactly as its ID-JAGs carry it in iss, e.g. "https://idp.example.com"');
  else issuer = checker.string(at("issuer"), fields.issuer, trustedIssuerProblem);
  if (issuer !== undefined && issuer === context.issuer) {
    // Draft §8.3: an IdP "MUST NOT issue access tokens in response to an ID-JAG it issued itself".
    checker.report(
      at("issuer"),
      "is this server's own issuer; it must never redeem ID-JAGs it issued itself (draft-ietf-oauth-identity-assertion-authz-grant §8.3). Trust the issuer of another identity provider",
    );
    issuer = undefined;
  }

  const jwksUri = fields.jwksUri === undefined ? undefined : checker.string(at("jwksUri"), fields.jwksUri, (text) => fetchableProblem(text, "provider's JWKS"));
  if (jwksUri !== undefined && jwksUri === context.ownJwksUri) {
    checker.report(at("jwksUri"), "is this server's own JWKS; its keys must not vouch for another issuer's ID-JAGs (draft §8.3)");
  }
  const jwks = fields.jwks === undefined ? undefined : readPublicJwks(checker, at("jwks"), fields.jwks, IDENTITY_PROVIDER_KEYS);
  if (fields.jwks !== undefined && fields.jwksUri !== undefined)
    checker.report(at("jwksUri"), "set jwks or jwksUri, not both: one place holds the provider's keys");

  const algorithms = fields.algorithms === undefined ? [...DEFAULT_ALGORITHMS] : readAlgorithms(checker, at("algorithms"), fields.algorithms);
  if (jwks !== undefined && algorithms !== undefined && !jwks.keys.some((key) => algorithms.some((alg) => KEY_TYPE[alg] === key.kty))) {
    // RFC 7518 §3.1: each algorithm needs its key type; no pair here means every ID-JAG would be refused.
    checker.report(
      at("algorithms"),
      `none of them (${algorithms.join(", ")}) can be verified with the keys in jwks (${jwks.keys.map((key) => String(key.kty)).join(", ")}); allow the algorithm the provider signs with`,
    );
  }
  const clients = readClients(checker, at("clients"), fields.clients, context.clients);
  const subject = readSubject(checker, at("subject"), fields.subject);

  if (checker.problems.length !== before || issuer === undefined || algorithms === undefined || clients === undefined || subject === undefined)
    return undefined;
  try {
    // The policy id-jag/trust-verifiers.ts will build, built once now so that whatever
    // tokenward refuses in it stops the start, not the first ID-JAG. Nothing is fetched.
    createVerifier({
      issuers: [{ issuer, audience: "as", algorithms, ...(jwks !== undefined ? { jwks } : jwksUri !== undefined ? { jwksUri } : {}) }],
      cache: false,
    });
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    checker.report(path, `is not usable: ${error.message}`);
    return undefined;
  }
  return {
    issuer,
    jwksUri,
    jwks,
    algorithms: Object.freeze(algorithms),
    clients,
    subject,
  };
}

/**
 * Two providers whose subjects pass through must not be able to name the
 * same access token subject: "alice" at one IdP is not "alice" at another
 * (draft §3.1: sub is unique only within its issuer). So neither prefix may
 * begin the other (an empty prefix begins every one).
 */
function checkSubjectCollisions(checker: Checker, providers: readonly [string, ResolvedTrustedIdentityProvider][]): boolean {
  const passing = providers.filter(([, provider]) => provider.subject.unmatched === "sub");
  for (const [index, [path, provider]] of passing.entries()) {
    for (const [otherPath, other] of passing.slice(0, index)) {
      const a = provider.subject.prefix;
      const b = other.subject.prefix;
      if (!a.startsWith(b) && !b.startsWith(a)) continue;
      checker.report(
        child(path, "subject"),
        `passes subjects through with prefix ${JSON.stringify(a)}, which overlaps ${otherPath}'s ${JSON.stringify(b)}: the same sub at both providers would be the same user here. Give each provider a distinct subject.prefix (e.g. "okta|" and "entra|"), or map accounts with unmatched: "refuse"`,
      );
      return false;
    }
  }
  return true;
}

function readIdJag(checker: Checker, value: unknown): ResolvedTrust["idJag"] | undefined {
  if (value === undefined) return { reuse: "single-use", maxLifetimeSeconds: 300, clockToleranceSeconds: 30 };
  const fields: Fields | undefined = checker.object("idJag", value, ["reuse", "maxLifetimeSeconds", "clockToleranceSeconds"]);
  if (fields === undefined) return undefined;
  const reuse = fields.reuse === undefined ? "single-use" : checker.oneOf("idJag.reuse", fields.reuse, ["single-use", "allow-reuse"] as const);
  const maxLifetimeSeconds =
    fields.maxLifetimeSeconds === undefined ? 300 : checker.integer("idJag.maxLifetimeSeconds", fields.maxLifetimeSeconds, 1, 3600, "seconds");
  const clockToleranceSeconds =
    fields.clockToleranceSeconds === undefined ? 30 : checker.integer("idJag.clockToleranceSeconds", fields.clockToleranceSeconds, 0, 300, "seconds");
  if (reuse === undefined || maxLifetimeSeconds === undefined || clockToleranceSeconds === undefined) return undefined;
  return { reuse, maxLifetimeSeconds, clockToleranceSeconds };
}

/** `trustedIdentityProviders` and `idJag`, checked and defaulted; undefined when either has a problem (each one reported). */
export function resolveTrust(checker: Checker, trusted: unknown, idJag: unknown, context: TrustContext): ResolvedTrust | undefined {
  const settings = readIdJag(checker, idJag);
  if (trusted === undefined) return settings === undefined ? undefined : { trustedIdentityProviders: new Map(), idJag: settings };
  const list = checker.list(
    "trustedIdentityProviders",
    trusted,
    { minItems: 0, maxItems: MAX_PROVIDERS, unique: false, what: "identity providers" },
    (path, item): [string, ResolvedTrustedIdentityProvider] | undefined => {
      const provider = readProvider(checker, path, item, context);
      return provider === undefined ? undefined : [path, provider];
    },
  );
  if (list === undefined) return undefined;
  const providers = new Map<string, ResolvedTrustedIdentityProvider>();
  for (const [path, provider] of list) {
    if (providers.has(provider.issuer)) {
      checker.report(child(path, "issuer"), `${JSON.stringify(provider.issuer)} is trusted twice; merge the two entries`);
      return undefined;
    }
    providers.set(provider.issuer, provider);
  }
  if (!checkSubjectCollisions(checker, list)) return undefined;
  if (providers.size > 0 && context.clients !== undefined && ![...context.clients.values()].some((client) => client.grantTypes.has(JWT_BEARER))) {
    checker.report(
      "trustedIdentityProviders",
      `no client may redeem ID-JAGs: add "${JWT_BEARER}" to the grantTypes of the clients that should (clients[i].grantTypes)`,
    );
    return undefined;
  }
  if (settings === undefined) return undefined;
  return { trustedIdentityProviders: providers, idJag: settings };
}
