// Which audience a token is for. RFC 8707 §2: `resource` is an absolute URI
// without a fragment naming the protected resource; Auth0's `audience`
// parameter says the same thing by another name. Absent both, the client's
// first configured audience.

import type { ResolvedClient } from "../config/types.js";
import { OAuthError } from "../errors/oauth-error.js";

export function selectAudience(client: ResolvedClient, params: ReadonlyMap<string, string>): string[] {
  const resource = params.get("resource");
  const audience = params.get("audience");
  if (resource !== undefined && audience !== undefined && resource !== audience) {
    throw new OAuthError("invalid_request", "resource and audience name different targets; send one of them");
  }
  if (resource !== undefined && !isResourceIndicator(resource)) {
    // RFC 8707 §2: MUST be an absolute URI, MUST NOT include a fragment.
    throw new OAuthError("invalid_target", "resource must be an absolute URI without a fragment (RFC 8707 section 2)");
  }
  const target = resource ?? audience;
  if (target === undefined) {
    const first = client.audiences[0];
    if (first === undefined) throw new OAuthError("invalid_target", "this client has no audience it may get tokens for");
    return [first];
  }
  // Exact comparison, as a verifier compares aud: "https://api/" and "https://api" are different resources.
  if (!client.audiences.includes(target)) {
    throw new OAuthError("invalid_target", "the requested resource is not one this client may get tokens for", {
      detail: `requested ${JSON.stringify(target)}; client ${client.clientId} may have ${JSON.stringify(client.audiences)}`,
    });
  }
  return [target];
}

function isResourceIndicator(value: string): boolean {
  if (value.includes("#")) return false;
  try {
    const url = new URL(value);
    return url.protocol.length > 1;
  } catch {
    return false;
  }
}
