// Which scopes the access token carries, when redeeming an ID-JAG. Draft
// §4.4.1 (editor's copy after -03): the scope claim is processed per RFC
// 6749 §3.3 and the granted scopes "MAY be a subset" of it. So: the ID-JAG's
// scopes that this client may have, narrowed by a `scope` request parameter;
// never a scope the identity provider did not grant. An ID-JAG without scope
// grants none (the IdP authorized no scope; this server adds none).

import type { ResolvedClient } from "../config/types.js";
import { OAuthError } from "../errors/oauth-error.js";

/** `requested` is the parsed scope parameter (grants/scope.ts parseScope), undefined when absent. */
export function grantedScopes(client: ResolvedClient, granted: readonly string[] | undefined, requested: readonly string[] | undefined): string[] {
  const offered = (granted ?? []).filter((scope) => client.scopes.has(scope));
  if (granted !== undefined && granted.length > 0 && offered.length === 0) {
    throw new OAuthError("invalid_scope", "none of the scopes the assertion grants may be granted to this client", {
      detail: `the ID-JAG grants ${JSON.stringify(granted.join(" "))}; client ${client.clientId} may have ${JSON.stringify([...client.scopes].join(" "))}`,
    });
  }
  if (requested === undefined || requested.length === 0) return offered;
  // RFC 6749 §3.3: the server may narrow what was asked for, then says what it granted.
  const narrowed = requested.filter((scope) => offered.includes(scope));
  if (narrowed.length === 0) {
    throw new OAuthError("invalid_scope", "none of the requested scopes is granted by the assertion to this client", {
      detail: `requested ${JSON.stringify(requested.join(" "))}; the ID-JAG and client ${client.clientId} allow ${JSON.stringify(offered.join(" "))}`,
    });
  }
  return narrowed;
}
