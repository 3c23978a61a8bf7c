// One entry of `clients`: checked field by field, then defaulted as
// types.ts documents (ClientConfig).

import { parseSecretHash, SecretHashError } from "../secrets/secret-hash-format.js";
import { RESERVED_CLAIMS } from "../tokens/reserved-claims.js";
import type { Checker } from "./checker.js";
import { KNOWN_GRANT_TYPES } from "./grant-types.js";
import { isLoopbackHost } from "./loopback.js";
import { child } from "./path.js";
import { CLIENT_KEYS, readPublicJwks } from "./public-jwks.js";
import { isScopeToken } from "./scope-token.js";
import type { ClientAuthMethod, JsonValue, ResolvedClient } from "./types.js";

const CLIENT_FIELDS = [
  "clientId",
  "name",
  "secretHash",
  "jwks",
  "jwksUri",
  "authMethods",
  "grantTypes",
  "audiences",
  "scopes",
  "defaultScopes",
  "claims",
  "tokenLifetimeSeconds",
  "rateLimitPerMinute",
  "introspect",
] as const;

const PLAIN_SECRET = "plain secrets are never accepted in configuration: run `tokenward secret hash -` and put what it prints in secretHash";
const CLIENT_HINTS: Readonly<Record<string, string>> = {
  secret: PLAIN_SECRET,
  clientSecret: PLAIN_SECRET,
  client_secret: PLAIN_SECRET,
};

export const AUTH_METHODS: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post", "private_key_jwt"];
const SECRET_METHODS: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post"];

// Client ids travel in HTTP Basic credentials (RFC 7617 §2: the user-id cannot
// contain ':') and in logs: visible ASCII only, as RFC 6749 Appendix A.1 allows.
const CLIENT_ID = /^[\x21-\x39\x3B-\x7E]{1,255}$/;
// tokenward's verifier reads "{tenantid}" in an issuer as a multi-tenant template,
// and a private_key_jwt client id is the issuer of its assertions.
const TEMPLATE = "{tenantid}";
const MAX_CLAIMS_BYTES = 8192;
const MAX_JSON_DEPTH = 16;

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export interface ClientDefaults {
  /** tokens.lifetimeSeconds, when valid. */
  readonly tokenLifetimeSeconds: number | undefined;
  readonly rateLimitPerMinute: number | undefined;
}

function clientIdProblem(value: string): string | undefined {
  if (CLIENT_ID.test(value)) return undefined;
  if (value === "") return "must not be empty";
  if (value.includes(":")) return "must not contain ':', which would split HTTP Basic credentials (RFC 7617 §2); choose another id";
  if (value.length > 255) return `is ${value.length} characters long; at most 255`;
  return "must be printable ASCII without spaces (RFC 6749 Appendix A.1)";
}

function displayNameProblem(value: string): string | undefined {
  if (value === "" || value.length > 200) return "must be 1 to 200 characters";
  if (hasControlCharacter(value)) return "must not contain control characters (it is written into logs)";
  return undefined;
}

function audienceProblem(value: string): string | undefined {
  if (value === "") return "must not be empty; an audience names the API the tokens are for, e.g. https://api.example.com";
  if (value.length > 2048) return "is longer than 2048 characters";
  if (value.trim() !== value) return "has leading or trailing whitespace; APIs compare aud byte for byte";
  if (hasControlCharacter(value)) return "must not contain control characters";
  return undefined;
}

function jwksUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an absolute URL; give the https URL where the client publishes its JWKS";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return "must be https, or http on a loopback host (localhost, 127.0.0.1 or [::1]): anyone on the path could swap the keys otherwise";
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@); they end up in logs";
  if (value.includes("#")) return "must not have a #fragment, which no server sees";
  return undefined;
}

/** A JSON value as JSON.stringify would write it back unchanged: no undefined, functions, NaN, class instances or cycles. */
function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "holds a number JSON cannot carry (NaN or Infinity)";
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const item of Object.values(value)) {
      const problem = jsonProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `holds ${typeof value === "object" ? "an object that is not plain JSON" : `a ${typeof value}`}; claims must be JSON values`;
}

function readClaims(checker: Checker, path: string, value: unknown): Record<string, JsonValue> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    checker.report(path, 'must be an object of claim names and JSON values, e.g. { "https://example.com/tier": "gold" }');
    return undefined;
  }
  let ok = true;
  const entries: [string, JsonValue][] = [];
  for (const [name, claim] of Object.entries(value)) {
    const claimPath = child(path, name);
    if (RESERVED_CLAIMS.has(name)) {
      checker.report(
        claimPath,
        `"${name}" is set by the issuer itself (RFC 7519 §4.1, RFC 9068 §2.2) and cannot be configured; use another claim name, e.g. a URL`,
      );
      ok = false;
      continue;
    }
    if (name === "") {
      checker.report(claimPath, "a claim needs a name");
      ok = false;
      continue;
    }
    const problem = jsonProblem(claim, 1);
    if (problem !== undefined) {
      checker.report(claimPath, problem);
      ok = false;
      continue;
    }
    entries.push([name, claim as JsonValue]);
  }
  if (!ok) return undefined;
  const claims = Object.fromEntries(entries);
  const size = Buffer.byteLength(JSON.stringify(claims));
  if (size > MAX_CLAIMS_BYTES) {
    checker.report(path, `add ${size} bytes of JSON to every token; keep them under ${MAX_CLAIMS_BYTES} (tokens travel in every request header)`);
    return undefined;
  }
  return claims;
}

/** `clients[index]`, checked and defaulted; undefined when it has a problem (each one reported). */
export function resolveClient(checker: Checker, path: string, value: unknown, defaults: ClientDefaults): ResolvedClient | undefined {
  const before = checker.problems.length;
  const fields = checker.object(path, value, CLIENT_FIELDS, CLIENT_HINTS);
  if (fields === undefined) return undefined;
  const at = (name: string) => child(path, name);

  let clientId: string | undefined;
  if (fields.clientId === undefined) checker.report(at("clientId"), 'required: the id the client sends as client_id, e.g. "billing-service"');
  else clientId = checker.string(at("clientId"), fields.clientId, clientIdProblem);

  const name = fields.name === undefined ? clientId : checker.string(at("name"), fields.name, displayNameProblem);

  let secretHash: string | undefined;
  if (fields.secretHash !== undefined) {
    try {
      parseSecretHash(fields.secretHash);
      secretHash = fields.secretHash as string;
    } catch (error) {
      if (!(error instanceof SecretHashError)) throw error;
      checker.report(at("secretHash"), `${error.message}`);
    }
  }

  const jwks = fields.jwks === undefined ? undefined : readPublicJwks(checker, at("jwks"), fields.jwks, CLIENT_KEYS);
  const jwksUri = fields.jwksUri === undefined ? undefined : checker.string(at("jwksUri"), fields.jwksUri, jwksUriProblem);
  if (fields.jwks !== undefined && fields.jwksUri !== undefined) {
    checker.report(at("jwksUri"), "set jwks or jwksUri, not both: one place holds the client's keys");
  }

  const hasSecret = fields.secretHash !== undefined;
  const hasKeys = fields.jwks !== undefined || fields.jwksUri !== undefined;
  let authMethods: ClientAuthMethod[] | undefined;
  if (fields.authMethods !== undefined) {
    authMethods = checker.list(at("authMethods"), fields.authMethods, { minItems: 1, unique: true, what: "client authentication methods" }, (itemPath, item) =>
      checker.oneOf(itemPath, item, AUTH_METHODS),
    );
    if (authMethods !== undefined) {
      const secretMethod = authMethods.find((method) => SECRET_METHODS.includes(method));
      if (secretMethod !== undefined && !hasSecret)
        checker.report(at("authMethods"), `${secretMethod} needs a secretHash (from \`tokenward secret hash\`); add one, or remove the method`);
      if (authMethods.includes("private_key_jwt") && !hasKeys)
        checker.report(at("authMethods"), "private_key_jwt needs the client's public keys: add jwks or jwksUri, or remove the method");
      if (hasSecret && secretMethod === undefined)
        checker.report(
          at("secretHash"),
          "is set, but authMethods allows no secret method; add client_secret_basic or client_secret_post, or remove secretHash",
        );
      if (hasKeys && !authMethods.includes("private_key_jwt"))
        checker.report(
          at(fields.jwks !== undefined ? "jwks" : "jwksUri"),
          "is set, but authMethods does not allow private_key_jwt; add it, or remove the keys",
        );
    }
  } else if (!hasSecret && !hasKeys) {
    checker.report(path, "the client has no way to authenticate: set secretHash (from `tokenward secret hash`) or, for private_key_jwt, jwks or jwksUri");
  } else {
    authMethods = [...(hasSecret ? SECRET_METHODS : []), ...(hasKeys ? (["private_key_jwt"] as const) : [])];
  }
  if (clientId?.includes(TEMPLATE) === true && authMethods?.includes("private_key_jwt") === true) {
    checker.report(at("clientId"), `must not contain ${TEMPLATE} when the client uses private_key_jwt (it would read as an issuer template)`);
  }

  const grantTypes =
    fields.grantTypes === undefined
      ? ["client_credentials"]
      : checker.list(at("grantTypes"), fields.grantTypes, { minItems: 1, unique: true, what: "grant types" }, (itemPath, item) =>
          checker.oneOf(itemPath, item, KNOWN_GRANT_TYPES),
        );

  let audiences: string[] | undefined;
  if (fields.audiences === undefined) checker.report(at("audiences"), 'required: the APIs this client may get tokens for, e.g. ["https://api.example.com"]');
  else
    audiences = checker.list(at("audiences"), fields.audiences, { minItems: 1, unique: true, what: "audiences" }, (itemPath, item) =>
      checker.string(itemPath, item, audienceProblem),
    );

  const scopeToken = (text: string) =>
    isScopeToken(text) ? undefined : 'is not a scope token: printable ASCII without spaces, " or \\ (RFC 6749 §3.3); list each scope separately';
  let scopes: string[] | undefined;
  if (fields.scopes === undefined) checker.report(at("scopes"), 'required: the scopes this client may be granted, e.g. ["read:data"] (or [] for none)');
  else
    scopes = checker.list(at("scopes"), fields.scopes, { minItems: 0, unique: true, what: "scopes" }, (itemPath, item) =>
      checker.string(itemPath, item, scopeToken),
    );

  let defaultScopes: string[] | undefined;
  if (fields.defaultScopes === undefined) defaultScopes = scopes;
  else {
    defaultScopes = checker.list(at("defaultScopes"), fields.defaultScopes, { minItems: 0, unique: true, what: "scopes" }, (itemPath, item) =>
      checker.string(itemPath, item, scopeToken),
    );
    if (defaultScopes !== undefined && scopes !== undefined) {
      for (const [index, scope] of defaultScopes.entries()) {
        if (!scopes.includes(scope))
          checker.report(child(at("defaultScopes"), index), `"${scope}" is not in scopes; default scopes must be ones the client may be granted`);
      }
    }
  }

  const claims = fields.claims === undefined ? {} : readClaims(checker, at("claims"), fields.claims);

  let tokenLifetimeSeconds = defaults.tokenLifetimeSeconds;
  if (fields.tokenLifetimeSeconds !== undefined) {
    tokenLifetimeSeconds = checker.integer(at("tokenLifetimeSeconds"), fields.tokenLifetimeSeconds, 1, 86400, "seconds");
    if (tokenLifetimeSeconds !== undefined && defaults.tokenLifetimeSeconds !== undefined && tokenLifetimeSeconds > defaults.tokenLifetimeSeconds) {
      checker.report(
        at("tokenLifetimeSeconds"),
        `is ${tokenLifetimeSeconds}, above tokens.lifetimeSeconds (${defaults.tokenLifetimeSeconds}); a client may shorten the lifetime, never lengthen it`,
      );
      tokenLifetimeSeconds = undefined;
    }
  }
  const rateLimitPerMinute =
    fields.rateLimitPerMinute === undefined
      ? defaults.rateLimitPerMinute
      : checker.integer(at("rateLimitPerMinute"), fields.rateLimitPerMinute, 0, 1_000_000, "requests per minute (0 turns the limit off)");
  const introspect = fields.introspect === undefined ? true : checker.boolean(at("introspect"), fields.introspect);

  if (
    checker.problems.length !== before ||
    clientId === undefined ||
    name === undefined ||
    authMethods === undefined ||
    grantTypes === undefined ||
    audiences === undefined ||
    scopes === undefined ||
    defaultScopes === undefined ||
    claims === undefined ||
    tokenLifetimeSeconds === undefined ||
    rateLimitPerMinute === undefined ||
    introspect === undefined
  ) {
    return undefined;
  }
  return {
    clientId,
    name,
    secretHash,
    jwks,
    jwksUri,
    authMethods: new Set(authMethods),
    grantTypes: new Set(grantTypes),
    audiences: Object.freeze([...audiences]),
    scopes: new Set(scopes),
    defaultScopes: Object.freeze([...defaultScopes]),
    claims: Object.freeze(claims),
    tokenLifetimeSeconds,
    rateLimitPerMinute,
    introspect,
  };
}
