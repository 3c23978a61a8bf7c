// grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693 §2)
// for the identity provider role: an ID token this server issued to the
// client becomes an ID-JAG for another authorization server, as
// draft-ietf-oauth-identity-assertion-authz-grant §4.3 (editor's copy after
// -03, main 4b22498) profiles it. Only that exchange is offered.
//
// Errors (RFC 8693 §2.2.2, RFC 6749 §5.2):
// - a malformed request, another requested or subject token type, or a
//   subject_token that is not valid: invalid_request ("If the request itself
//   is not valid or if either the subject_token or actor_token are invalid
//   for any reason, or are unacceptable based on policy ... MUST ... be the
//   invalid_request error code"). One generic description for every defect
//   of the subject_token; the reason goes to the operator's log;
// - an audience or resource the policy does not allow this client:
//   invalid_target ("unwilling or unable to issue a token for any target
//   service that is indicated by the resource or audience parameters");
// - scopes of which the policy allows none: invalid_scope (RFC 6749 §5.2).

import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE } from "../id-jag/constants.js";
import { mintIdJag } from "../id-jag/mint-id-jag.js";
import { verifyIdToken } from "../idp/verify-id-token.js";
import { grantScopes, parseScope } from "./scope.js";
import type { TokenResponse } from "./types.js";

const SUBJECT_TOKEN_INVALID = "the subject_token is not a valid ID token issued by this server to this client";

function invalidRequest(description: string, detail?: string): OAuthError {
  return new OAuthError("invalid_request", description, detail === undefined ? {} : { detail });
}

// RFC 8707 §2: an absolute URI without a fragment.
function isResourceIndicator(value: string): boolean {
  if (value.includes("#")) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export async function tokenExchangeGrant(
  ctx: IssuerContext,
  params: ReadonlyMap<string, string>,
  client: ResolvedClient,
  _method: ClientAuthMethod,
): Promise<TokenResponse> {
  const idp = ctx.config.identityProvider;
  if (idp === undefined) throw new OAuthError("unsupported_grant_type", "this server does not support that grant_type");

  // Draft §4.3: requested_token_type is REQUIRED (RFC 8693 §2.1 would default to an access token, which this server never exchanges for).
  const requested = params.get("requested_token_type");
  if (requested === undefined) throw invalidRequest(`the requested_token_type parameter is missing; this server issues ${ID_JAG_TOKEN_TYPE}`);
  if (requested !== ID_JAG_TOKEN_TYPE) {
    throw invalidRequest(
      `this server exchanges tokens only for ${ID_JAG_TOKEN_TYPE} (RFC 8693 section 2.2.2)`,
      `requested_token_type ${JSON.stringify(requested.slice(0, 200))}`,
    );
  }
  // RFC 8693 §2.1: subject_token and subject_token_type are REQUIRED; draft §4.3.3: Identity Assertions MUST be accepted (ID tokens, here).
  const subjectToken = params.get("subject_token");
  if (subjectToken === undefined) throw invalidRequest("the subject_token parameter is missing; send the user's ID token");
  const subjectTokenType = params.get("subject_token_type");
  if (subjectTokenType === undefined) throw invalidRequest(`the subject_token_type parameter is missing; send ${ID_TOKEN_TYPE}`);
  if (subjectTokenType !== ID_TOKEN_TYPE) throw invalidRequest(`this server accepts only ID tokens as subject_token (subject_token_type ${ID_TOKEN_TYPE})`);
  // Draft §4.3 and §8.5: actor_token processing is left to future profiles; refused rather than ignored, so no ID-JAG overstates who acts.
  if (params.has("actor_token") || params.has("actor_token_type")) throw invalidRequest("actor_token is not supported by this server");
  // Draft §4.3.3: authorization_details MUST be processed when present; this server does not offer RAR (RFC 9396), so it refuses.
  if (params.has("authorization_details")) throw invalidRequest("authorization_details (RFC 9396) is not supported by this server; use scope");
  // Draft §4.3.3: audience REQUIRED, the resource authorization server's issuer identifier.
  const audience = params.get("audience");
  if (audience === undefined)
    throw invalidRequest("the audience parameter is missing; send the issuer identifier of the authorization server the ID-JAG is for");
  const resource = params.get("resource");
  if (resource !== undefined && !isResourceIndicator(resource)) {
    throw new OAuthError("invalid_target", "resource must be an absolute URI without a fragment (RFC 8707 section 2)");
  }
  const requestedScopes = parseScope(params.get("scope"));

  const checked = await verifyIdToken(ctx, subjectToken, client.clientId);
  if (!checked.ok) throw invalidRequest(SUBJECT_TOKEN_INVALID, `subject_token refused: ${checked.reason}`);
  const { user } = checked.token;

  // Draft §4.3.3: "The IdP Authorization Server evaluates administrator-defined policy ... for the target audience, resources, scopes".
  const policy = idp.idJag.get(client.clientId)?.get(audience);
  if (policy === undefined) {
    const allowed = [...(idp.idJag.get(client.clientId)?.keys() ?? [])];
    throw new OAuthError("invalid_target", "this client may not get an ID-JAG for that audience", {
      detail: `audience ${JSON.stringify(audience.slice(0, 200))}; identityProvider.idJag lets client ${JSON.stringify(client.clientId)} have ${JSON.stringify(allowed)}`,
    });
  }
  let grantedResource: string | undefined;
  if (resource === undefined) grantedResource = policy.resources[0];
  else if (policy.resources.includes(resource)) grantedResource = resource;
  else {
    throw new OAuthError("invalid_target", "this client may not get an ID-JAG for that resource", {
      detail: `resource ${JSON.stringify(resource.slice(0, 200))}; the policy for ${JSON.stringify(audience)} allows ${JSON.stringify(policy.resources)}`,
    });
  }
  // RFC 6749 §3.3 (draft §4.3.3): narrowed to the policy's scopes, never widened; none asked: all of them.
  const scopes = grantScopes(requestedScopes, new Set(policy.scopes), policy.scopes);

  const minted = await mintIdJag(
    ctx,
    {
      subject: user.sub,
      audience: policy.audience,
      clientId: policy.clientIdAtAudience,
      resource: grantedResource,
      scopes,
      authTime: checked.token.authTime,
      amr: checked.token.amr,
      email: user.email,
    },
    idp.idJagLifetimeSeconds,
  );
  // Draft §4.3.4: exactly these members; token_type N_A because an ID-JAG is not an access token (RFC 8693 §2.2.1).
  const body: TokenResponse["body"] = {
    issued_token_type: ID_JAG_TOKEN_TYPE,
    access_token: minted.token,
    token_type: "N_A",
    expires_in: minted.expiresIn,
  };
  // Draft §4.3.4: scope is REQUIRED when it differs from the request; always sent so clients need not compare.
  if (minted.scope !== "") body.scope = minted.scope;
  return { body, jti: minted.jti };
}
