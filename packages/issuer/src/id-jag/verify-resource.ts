// Which resource the access token is for, when redeeming an ID-JAG. Draft
// §4.4.1 (editor's copy after -03): the resource claim is processed per RFC
// 8707 §2 and the granted resources "MAY be a subset" of it; never more. A
// `resource` request parameter (or Auth0's `audience`, as client_credentials
// reads it) narrows further. Like client_credentials, a token is for one
// resource: several candidates need the request to name one.

import type { ResolvedClient } from "../config/types.js";
import { OAuthError } from "../errors/oauth-error.js";

/** RFC 8707 §2: an absolute URI without a fragment. */
function isResourceIndicator(value: string): boolean {
  if (value.includes("#")) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

function target(params: ReadonlyMap<string, string>): string | undefined {
  const resource = params.get("resource");
  const audience = params.get("audience");
  if (resource !== undefined && audience !== undefined && resource !== audience) {
    throw new OAuthError("invalid_request", "resource and audience name different targets; send one of them");
  }
  const named = resource ?? audience;
  // RFC 8707 §2: "MUST be an absolute URI ... MUST NOT include a fragment component".
  if (named !== undefined && !isResourceIndicator(named)) {
    throw new OAuthError("invalid_target", "resource must be an absolute URI without a fragment (RFC 8707 section 2)");
  }
  return named;
}

/**
 * The granted audience: within the ID-JAG's resources (when it names any),
 * within the client's configured audiences, and the requested one when the
 * request names one. Refuses with invalid_target (RFC 8707 §2).
 */
export function grantedResource(client: ResolvedClient, granted: readonly string[] | undefined, params: ReadonlyMap<string, string>): string {
  const requested = target(params);
  if (requested !== undefined) {
    if (granted !== undefined && !granted.includes(requested)) {
      throw new OAuthError("invalid_target", "the requested resource is not one the assertion grants", {
        detail: `requested ${JSON.stringify(requested)}; the ID-JAG grants ${JSON.stringify(granted)}`,
      });
    }
    if (!client.audiences.includes(requested)) {
      throw new OAuthError("invalid_target", "the requested resource is not one this client may get tokens for", {
        detail: `requested ${JSON.stringify(requested)}; client ${client.clientId} may have ${JSON.stringify(client.audiences)}`,
      });
    }
    return requested;
  }
  if (granted === undefined) {
    // The ID-JAG names no resource: this server's policy decides, as for client_credentials.
    const first = client.audiences[0];
    if (first === undefined) throw new OAuthError("invalid_target", "this client has no audience it may get tokens for");
    return first;
  }
  const allowed = granted.filter((resource) => client.audiences.includes(resource));
  if (allowed.length === 0) {
    throw new OAuthError("invalid_target", "none of the resources the assertion grants is one this client may get tokens for", {
      detail: `the ID-JAG grants ${JSON.stringify(granted)}; client ${client.clientId} may have ${JSON.stringify(client.audiences)}`,
    });
  }
  if (allowed.length > 1) {
    throw new OAuthError("invalid_target", "the assertion grants several resources; name one with the resource parameter (RFC 8707 section 2)");
  }
  return allowed[0] as string;
}
