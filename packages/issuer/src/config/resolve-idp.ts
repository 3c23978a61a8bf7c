// The `identityProvider` section: the Cross App Access identity provider role
// (draft-ietf-oauth-identity-assertion-authz-grant, editor's copy after -03).
// Test users sign in at the authorization endpoint (OpenID Connect Core
// §3.1, authorization code with PKCE) and get ID tokens; the relying parties
// exchange those for ID-JAGs (RFC 8693) as the idJag policy allows.
// Checked field by field like the rest of the configuration; the links to
// `clients` (grant types, known ids) are checked both ways, so a client that
// can never use its grant, or a policy naming no client, stops the start.

import { ID_JAG_TOKEN_TYPE, TOKEN_EXCHANGE } from "../id-jag/constants.js";
import { parseSecretHash, SecretHashError } from "../secrets/secret-hash-format.js";
import type { Checker, Fields } from "./checker.js";
import { checkIssuer } from "./issuer-url.js";
import { isLoopbackHost } from "./loopback.js";
import { child } from "./path.js";
import { isScopeToken } from "./scope-token.js";
import type { ResolvedClient, ResolvedIdentityProvider, ResolvedIdJagPolicy, ResolvedIdpUser } from "./types.js";

export const AUTHORIZATION_CODE = "authorization_code";

const IDP_FIELDS = ["users", "relyingParties", "idTokenLifetimeSeconds", "idJagLifetimeSeconds", "idJag"];
const USER_FIELDS = ["username", "passwordHash", "sub", "email", "name"];
const RELYING_PARTY_FIELDS = ["client", "redirectUris"];
const POLICY_FIELDS = ["client", "audience", "clientIdAtAudience", "resources", "scopes"];
const PLAIN_PASSWORD =
  "plain passwords are never accepted in configuration: run `tokenward secret hash -`, type the password, and put what it prints in passwordHash";
const USER_HINTS: Readonly<Record<string, string>> = { password: PLAIN_PASSWORD, secretHash: 'a user\'s hash goes in "passwordHash"' };
const DEFAULT_LIFETIME_SECONDS = 300;
const MAX_USERS = 10_000;

export interface IdentityProviderContext {
  /** The issuer identifier, when valid. */
  readonly issuer: string | undefined;
  /** The issuer without a trailing slash, when valid. */
  readonly base: string | undefined;
  /** The checked clients, when every client is valid (the cross-checks need them). */
  readonly clients: ReadonlyMap<string, ResolvedClient> | undefined;
  /** tokens.lifetimeSeconds, when valid: keys are retired after it, so nothing signed may outlive it. */
  readonly tokenLifetimeSeconds: number | undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function usernameProblem(text: string): string | undefined {
  if (text === "" || text.length > 128) return "must be 1 to 128 characters";
  if (text.trim() !== text) return "has leading or trailing whitespace, which nobody types; remove it";
  if (hasControlCharacter(text)) return "must not contain control characters";
  return undefined;
}

// OpenID Connect Core §2: sub is at most 255 ASCII characters; no spaces, so it reads the same in every log.
function subProblem(text: string): string | undefined {
  return /^[\x21-\x7E]{1,255}$/.test(text) ? undefined : "must be 1 to 255 printable ASCII characters without spaces (OpenID Connect Core §2)";
}

function emailProblem(text: string): string | undefined {
  const at = text.indexOf("@");
  const ok = at >= 1 && at <= 64 && text.length - at - 1 >= 1 && text.length - at - 1 <= 189 && !text.includes("@", at + 1);
  return ok && !/\s/.test(text) && !hasControlCharacter(text) ? undefined : 'must be an e-mail address such as "alice@example.com"';
}

function nameProblem(text: string): string | undefined {
  if (text === "" || text.length > 200) return "must be 1 to 200 characters";
  if (hasControlCharacter(text)) return "must not contain control characters";
  return undefined;
}

/**
 * RFC 6749 §3.1.2: an absolute URI without a fragment, compared exactly.
 * https, or http on a loopback host (RFC 8252 §7.3), or a private-use scheme
 * of a native app (RFC 8252 §7.1: a reverse domain name, so it has a dot).
 */
function redirectUriProblem(text: string): string | undefined {
  if (text.length > 2048) return "is longer than 2048 characters";
  if (/\s/.test(text) || hasControlCharacter(text)) return "must not contain whitespace or control characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not an absolute URI; write the client's callback URL, e.g. https://app.example.com/callback";
  }
  if (text.includes("#")) return "must not have a #fragment (RFC 6749 §3.1.2)";
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@)";
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return undefined;
  if (scheme === "http") {
    return isLoopbackHost(url.hostname)
      ? undefined
      : "must be https, or http on a loopback host (RFC 8252 §7.3): a code sent over plain http elsewhere can be read on the way";
  }
  if (scheme.includes(".")) return undefined;
  return `uses the scheme "${scheme}"; use https, http on loopback, or a native app's private-use scheme such as com.example.app: (RFC 8252 §7.1)`;
}

// RFC 8707 §2: an absolute URI, no fragment.
function resourceProblem(text: string): string | undefined {
  if (text.length > 2048) return "is longer than 2048 characters";
  if (/\s/.test(text) || hasControlCharacter(text)) return "must not contain whitespace or control characters";
  if (text.includes("#")) return "must not have a #fragment (RFC 8707 §2)";
  try {
    new URL(text);
  } catch {
    return "must be an absolute URI naming the API, e.g. https://api.example.com (RFC 8707 §2)";
  }
  return undefined;
}

// RFC 6749 Appendix A.1: client_id = *VSCHAR. Client ID Metadata Document ids are URLs, so ':' is allowed here.
function foreignClientIdProblem(text: string): string | undefined {
  if (!/^[\x20-\x7E]{1,2048}$/.test(text)) return "must be 1 to 2048 printable ASCII characters (RFC 6749 Appendix A.1)";
  if (text.trim() !== text) return "has leading or trailing spaces; the authorization server compares client_id exactly";
  return undefined;
}

function scopeProblem(text: string): string | undefined {
  return isScopeToken(text) ? undefined : 'is not a scope token: printable ASCII without spaces, " or \\ (RFC 6749 §3.3); list each scope separately';
}

/** A required field: reported as missing with `message`, or read. */
function required<T>(checker: Checker, path: string, value: unknown, message: string, read: (value: unknown) => T | undefined): T | undefined {
  if (value !== undefined) return read(value);
  checker.report(path, message);
  return undefined;
}

function readLifetime(checker: Checker, path: string, value: unknown, ceiling: number | undefined): number | undefined {
  if (value === undefined) return ceiling === undefined ? undefined : Math.min(DEFAULT_LIFETIME_SECONDS, ceiling);
  const seconds = checker.integer(path, value, 1, 86400, "seconds");
  if (seconds !== undefined && ceiling !== undefined && seconds > ceiling) {
    // Keys retire once every token they signed has expired, reckoned from tokens.lifetimeSeconds (keys/schedule.ts).
    checker.report(
      path,
      `is ${seconds}, above tokens.lifetimeSeconds (${ceiling}); a rotated-out key would leave the JWKS while these were still valid. Lower it, or raise tokens.lifetimeSeconds`,
    );
    return undefined;
  }
  return seconds;
}

function readUsers(checker: Checker, path: string, value: unknown): ResolvedIdpUser[] | undefined {
  if (value === undefined) {
    checker.report(path, 'required: the users who may sign in, e.g. [{ "username": "alice", "passwordHash": "scrypt$...", "sub": "u-alice" }]');
    return undefined;
  }
  const users = checker.list(path, value, { minItems: 1, maxItems: MAX_USERS, unique: false, what: "users" }, (itemPath, raw) => {
    const before = checker.problems.length;
    const fields = checker.object(itemPath, raw, USER_FIELDS, USER_HINTS);
    if (fields === undefined) return undefined;
    const at = (name: string) => child(itemPath, name);
    const username = required(checker, at("username"), fields.username, 'required: what the user types to sign in, e.g. "alice"', (raw) =>
      checker.string(at("username"), raw, usernameProblem),
    );
    let passwordHash: string | undefined;
    if (fields.passwordHash === undefined) checker.report(at("passwordHash"), "required: the password's hash from `tokenward secret hash -`");
    else {
      try {
        parseSecretHash(fields.passwordHash);
        passwordHash = fields.passwordHash as string;
      } catch (error) {
        if (!(error instanceof SecretHashError)) throw error;
        checker.report(at("passwordHash"), error.message);
      }
    }
    const sub = required(checker, at("sub"), fields.sub, 'required: the user\'s stable subject identifier for ID tokens, e.g. "u-1001"', (raw) =>
      checker.string(at("sub"), raw, subProblem),
    );
    const email = fields.email === undefined ? undefined : checker.string(at("email"), fields.email, emailProblem);
    const name = fields.name === undefined ? undefined : checker.string(at("name"), fields.name, nameProblem);
    if (checker.problems.length !== before || username === undefined || passwordHash === undefined || sub === undefined) return undefined;
    return Object.freeze({ username, passwordHash, sub, email, name }) satisfies ResolvedIdpUser;
  });
  if (users === undefined) return undefined;
  let ok = true;
  const usernames = new Map<string, number>();
  const subs = new Map<string, number>();
  for (const [index, user] of users.entries()) {
    const firstName = usernames.get(user.username);
    if (firstName !== undefined) {
      checker.report(child(child(path, index), "username"), `repeats ${child(path, firstName)}.username; usernames must be unique`);
      ok = false;
    } else usernames.set(user.username, index);
    const firstSub = subs.get(user.sub);
    if (firstSub !== undefined) {
      // OpenID Connect Core §2: iss + sub identifies one End-User, never two.
      checker.report(
        child(child(path, index), "sub"),
        `repeats ${child(path, firstSub)}.sub; two users with one subject would be one user to every relying party`,
      );
      ok = false;
    } else subs.set(user.sub, index);
  }
  return ok ? users : undefined;
}

function knownClient(checker: Checker, path: string, value: unknown, clients: ReadonlyMap<string, ResolvedClient> | undefined): ResolvedClient | undefined {
  const id = checker.string(path, value, (text) => (text === "" ? "must name one of clients[].clientId" : undefined));
  if (id === undefined || clients === undefined) return undefined;
  const client = clients.get(id);
  if (client === undefined) {
    checker.report(path, `names no configured client; the clientIds are ${[...clients.keys()].map((known) => JSON.stringify(known)).join(", ")}`);
  }
  return client;
}

function readRelyingParties(checker: Checker, path: string, value: unknown, context: IdentityProviderContext): Map<string, readonly string[]> | undefined {
  if (value === undefined) {
    checker.report(
      path,
      'required: the clients that may sign users in, e.g. [{ "client": "wiki-app", "redirectUris": ["https://wiki.example.com/callback"] }]',
    );
    return undefined;
  }
  const redirectUris = new Map<string, readonly string[]>();
  const parties = checker.list(path, value, { minItems: 1, unique: false, what: "relying parties" }, (itemPath, raw) => {
    const before = checker.problems.length;
    const fields = checker.object(itemPath, raw, RELYING_PARTY_FIELDS);
    if (fields === undefined) return undefined;
    const at = (name: string) => child(itemPath, name);
    const client = required(checker, at("client"), fields.client, "required: the clientId of the client that signs users in", (raw) =>
      knownClient(checker, at("client"), raw, context.clients),
    );
    if (client !== undefined && !client.grantTypes.has(AUTHORIZATION_CODE)) {
      checker.report(at("client"), `client ${JSON.stringify(client.clientId)} does not list "authorization_code" in grantTypes; add it there`);
    }
    const uris = required(
      checker,
      at("redirectUris"),
      fields.redirectUris,
      'required: where users are sent back after signing in, e.g. ["https://wiki.example.com/callback"]',
      (raw) =>
        checker.list(at("redirectUris"), raw, { minItems: 1, maxItems: 100, unique: true, what: "redirect URIs" }, (uriPath, uri) =>
          checker.string(uriPath, uri, redirectUriProblem),
        ),
    );
    if (checker.problems.length !== before || client === undefined || uris === undefined) return undefined;
    if (redirectUris.has(client.clientId)) {
      checker.report(at("client"), `${JSON.stringify(client.clientId)} is listed twice; give one entry all its redirectUris`);
      return undefined;
    }
    redirectUris.set(client.clientId, Object.freeze([...uris]));
    return client.clientId;
  });
  return parties === undefined ? undefined : redirectUris;
}

function readPolicies(
  checker: Checker,
  path: string,
  value: unknown,
  context: IdentityProviderContext,
): Map<string, Map<string, ResolvedIdJagPolicy>> | undefined {
  const policies = new Map<string, Map<string, ResolvedIdJagPolicy>>();
  if (value === undefined) return policies;
  const read = checker.list(path, value, { minItems: 0, maxItems: 10_000, unique: false, what: "ID-JAG policies" }, (itemPath, raw) => {
    const before = checker.problems.length;
    const fields = checker.object(itemPath, raw, POLICY_FIELDS);
    if (fields === undefined) return undefined;
    const at = (name: string) => child(itemPath, name);
    const client = required(checker, at("client"), fields.client, "required: the clientId of the client that may ask for these ID-JAGs", (raw) =>
      knownClient(checker, at("client"), raw, context.clients),
    );
    if (client !== undefined && !client.grantTypes.has(TOKEN_EXCHANGE)) {
      checker.report(at("client"), `client ${JSON.stringify(client.clientId)} does not list "${TOKEN_EXCHANGE}" in grantTypes; add it there`);
    }
    let audience: string | undefined;
    if (fields.audience === undefined) {
      checker.report(at("audience"), 'required: the issuer identifier of the authorization server the ID-JAG is for, e.g. "https://as.example.com"');
    } else {
      const text = checker.string(at("audience"), fields.audience);
      if (text !== undefined) {
        const checked = checkIssuer(text);
        if (typeof checked === "string") checker.report(at("audience"), `${checked} (it is the target authorization server's issuer, RFC 8414 §2)`);
        else if (text === context.issuer) {
          // Draft §8.3: an IdP MUST NOT issue access tokens in response to an ID-JAG it issued itself.
          checker.report(at("audience"), "is this server's own issuer; an ID-JAG is for another authorization server, never for its issuer (draft §8.3)");
        } else audience = text;
      }
    }
    const clientIdAtAudience = required(
      checker,
      at("clientIdAtAudience"),
      fields.clientIdAtAudience,
      "required: the client's client_id at that authorization server (draft §5), the ID-JAG's client_id claim",
      (raw) => checker.string(at("clientIdAtAudience"), raw, foreignClientIdProblem),
    );
    const resources =
      fields.resources === undefined
        ? []
        : checker.list(at("resources"), fields.resources, { minItems: 0, maxItems: 100, unique: true, what: "resource indicators" }, (itemPath2, item) =>
            checker.string(itemPath2, item, resourceProblem),
          );
    const scopes =
      fields.scopes === undefined
        ? []
        : checker.list(at("scopes"), fields.scopes, { minItems: 0, maxItems: 1000, unique: true, what: "scopes" }, (itemPath2, item) =>
            checker.string(itemPath2, item, scopeProblem),
          );
    if (
      checker.problems.length !== before ||
      client === undefined ||
      audience === undefined ||
      clientIdAtAudience === undefined ||
      resources === undefined ||
      scopes === undefined
    ) {
      return undefined;
    }
    let byAudience = policies.get(client.clientId);
    if (byAudience === undefined) {
      byAudience = new Map();
      policies.set(client.clientId, byAudience);
    }
    if (byAudience.has(audience)) {
      checker.report(at("audience"), `client ${JSON.stringify(client.clientId)} already has a policy for ${JSON.stringify(audience)}; merge the two entries`);
      return undefined;
    }
    const policy: ResolvedIdJagPolicy = Object.freeze({
      client: client.clientId,
      audience,
      clientIdAtAudience,
      resources: Object.freeze([...resources]),
      scopes: Object.freeze([...scopes]),
    });
    byAudience.set(audience, policy);
    return policy;
  });
  return read === undefined ? undefined : policies;
}

/** The grant types the role serves, checked on clients even when the role is off: a client must be able to use what it lists. */
function checkClientGrants(
  checker: Checker,
  clients: ReadonlyMap<string, ResolvedClient> | undefined,
  relyingParties: ReadonlyMap<string, unknown> | undefined,
  policies: ReadonlyMap<string, unknown> | undefined,
  enabled: boolean,
): void {
  if (clients === undefined) return;
  for (const client of clients.values()) {
    const id = JSON.stringify(client.clientId);
    if (client.grantTypes.has(AUTHORIZATION_CODE)) {
      if (!enabled) {
        checker.report(
          "identityProvider",
          `client ${id} lists "authorization_code", which only the identity provider role serves; add identityProvider with relyingParties naming it, or remove the grant type`,
        );
      } else if (relyingParties !== undefined && !relyingParties.has(client.clientId)) {
        checker.report("identityProvider.relyingParties", `client ${id} lists "authorization_code" but has no entry here with its redirectUris; add one`);
      }
    }
    if (client.grantTypes.has(TOKEN_EXCHANGE)) {
      if (!enabled) {
        checker.report(
          "identityProvider",
          `client ${id} lists "${TOKEN_EXCHANGE}", which only the identity provider role serves (it issues ${ID_JAG_TOKEN_TYPE}); add identityProvider with an idJag policy for it, or remove the grant type`,
        );
      } else if (policies !== undefined && !policies.has(client.clientId)) {
        checker.report(
          "identityProvider.idJag",
          `client ${id} lists the token-exchange grant but no policy here says which authorization server it may get ID-JAGs for; add one`,
        );
      }
    }
  }
}

/**
 * `identityProvider`, checked and defaulted; undefined when absent or when it
 * has a problem (each one reported on `checker`, which the caller checks).
 */
export function resolveIdentityProvider(checker: Checker, value: unknown, context: IdentityProviderContext): ResolvedIdentityProvider | undefined {
  if (value === undefined) {
    checkClientGrants(checker, context.clients, undefined, undefined, false);
    return undefined;
  }
  const before = checker.problems.length;
  const fields: Fields | undefined = checker.object("identityProvider", value, IDP_FIELDS);
  if (fields === undefined) return undefined;
  const users = readUsers(checker, "identityProvider.users", fields.users);
  const redirectUris = readRelyingParties(checker, "identityProvider.relyingParties", fields.relyingParties, context);
  const idTokenLifetimeSeconds = readLifetime(checker, "identityProvider.idTokenLifetimeSeconds", fields.idTokenLifetimeSeconds, context.tokenLifetimeSeconds);
  const idJagLifetimeSeconds = readLifetime(checker, "identityProvider.idJagLifetimeSeconds", fields.idJagLifetimeSeconds, context.tokenLifetimeSeconds);
  const idJag = readPolicies(checker, "identityProvider.idJag", fields.idJag, context);
  checkClientGrants(checker, context.clients, redirectUris, idJag, true);
  if (
    checker.problems.length !== before ||
    context.base === undefined ||
    users === undefined ||
    redirectUris === undefined ||
    idTokenLifetimeSeconds === undefined ||
    idJagLifetimeSeconds === undefined ||
    idJag === undefined
  ) {
    return undefined;
  }
  return {
    authorizationEndpoint: `${context.base}/oauth/authorize`,
    users: new Map(users.map((user) => [user.username, user])),
    usersBySub: new Map(users.map((user) => [user.sub, user])),
    redirectUris,
    idTokenLifetimeSeconds,
    idJagLifetimeSeconds,
    idJag,
  };
}
