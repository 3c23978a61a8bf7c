// Scope processing, RFC 6749 §3.3: the `scope` parameter is a space-delimited
// list of scope-tokens (%x21 / %x23-5B / %x5D-7E). The server may narrow what
// was asked for and then MUST say what it granted; it never widens.

import { OAuthError } from "../errors/oauth-error.js";

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Parses a scope parameter; undefined when absent. Refuses what is not a scope-token list. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  // RFC 6749 §3.3: tokens separated by single spaces; tolerate runs of spaces, nothing else.
  const tokens = value.split(" ").filter((token) => token !== "");
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new OAuthError("invalid_scope", "the scope parameter is not a list of scope tokens (RFC 6749 section 3.3)");
  }
  return [...new Set(tokens)];
}

/**
 * Narrows requested scopes to what is allowed. Nothing requested: the
 * defaults. Something requested but none of it allowed: invalid_scope (an
 * empty grant would surprise more than an error).
 */
export function grantScopes(requested: readonly string[] | undefined, allowed: ReadonlySet<string>, defaults: readonly string[]): string[] {
  if (requested === undefined || requested.length === 0) return [...defaults];
  const granted = requested.filter((scope) => allowed.has(scope));
  if (granted.length === 0) {
    throw new OAuthError("invalid_scope", "none of the requested scopes may be granted to this client", {
      detail: `requested ${JSON.stringify(requested.join(" "))}; the client may have ${JSON.stringify([...allowed].join(" "))}`,
    });
  }
  return granted;
}
