import type { IncomingMessage } from "node:http";
import type { ResolvedClient } from "../options.js";
import { type Answer, methodNotAllowed, noStore, oauthError } from "./answer.js";
import { authenticateClient } from "./client-auth.js";
import { readForm, single } from "./form.js";

export interface TokenEndpointContext {
  readonly clients: readonly ResolvedClient[];
  /** Whether the token shape has an `aud` for client tokens when none was asked for (Cognito's has none). */
  readonly defaultAudience: boolean;
  readonly tokenLifetime: number;
  /** Signs the client's access token (`audience` undefined: none). */
  issue(client: ResolvedClient, grant: { audience: string | readonly string[] | undefined; scopes: readonly string[] | undefined }): Promise<string>;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function isAbsoluteUri(value: string): boolean {
  try {
    return new URL(value).protocol !== "" && !value.includes("#");
  } catch {
    return false;
  }
}

/**
 * The token endpoint for the client_credentials grant (RFC 6749 §4.4), with
 * the audience chosen by Auth0's `audience` parameter or RFC 8707 `resource`
 * parameters. Every refusal is an RFC 6749 §5.2 error answer.
 */
export async function tokenEndpoint(ctx: TokenEndpointContext, request: IncomingMessage): Promise<Answer> {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const form = await readForm(request);
  if ("problem" in form) return oauthError(400, "invalid_request", form.problem);
  const { params } = form;

  const authenticated = authenticateClient(request, params, ctx.clients);
  if ("answer" in authenticated) return authenticated.answer;
  const { client } = authenticated;

  const grant = single(params, "grant_type");
  if ("problem" in grant) return oauthError(400, "invalid_request", grant.problem);
  if (grant.value === undefined) return oauthError(400, "invalid_request", "the grant_type parameter is missing");
  if (grant.value !== "client_credentials") return oauthError(400, "unsupported_grant_type", "this mock issues tokens for grant_type=client_credentials only");

  const scope = single(params, "scope");
  if ("problem" in scope) return oauthError(400, "invalid_request", scope.problem);
  let scopes: string[] | undefined;
  if (scope.value !== undefined) {
    const requested = scope.value.split(" ");
    const bad = requested.find((token) => !SCOPE_TOKEN.test(token));
    if (bad !== undefined) return oauthError(400, "invalid_scope", "the scope parameter is not space-separated scope tokens (RFC 6749 §3.3)");
    const refused = client.scopes === undefined ? [] : requested.filter((token) => !client.scopes?.includes(token));
    if (refused.length > 0)
      return oauthError(
        400,
        "invalid_scope",
        `client ${JSON.stringify(client.clientId)} may not have scope ${refused.map((s) => JSON.stringify(s)).join(", ")}`,
      );
    scopes = [...new Set(requested)];
  } else if (client.scopes !== undefined && client.scopes.length > 0) {
    scopes = [...client.scopes];
  }

  const audienceParam = single(params, "audience");
  if ("problem" in audienceParam) return oauthError(400, "invalid_request", audienceParam.problem);
  // RFC 8707 §2: resource may be repeated, each an absolute URI without a fragment.
  const resources = params.getAll("resource").filter((value) => value !== "");
  if (audienceParam.value !== undefined && resources.length > 0) return oauthError(400, "invalid_request", "send audience or resource, not both");
  const badResource = resources.find((value) => !isAbsoluteUri(value));
  if (badResource !== undefined) return oauthError(400, "invalid_target", "resource must be an absolute URI without a fragment (RFC 8707 §2)");
  const requested = audienceParam.value !== undefined ? [audienceParam.value] : [...new Set(resources)];
  const refused = requested.filter((value) => !client.audiences.includes(value));
  if (refused.length > 0) {
    return oauthError(
      400,
      "invalid_target",
      `client ${JSON.stringify(client.clientId)} may not have a token for ${refused.map((s) => JSON.stringify(s)).join(", ")}`,
    );
  }
  const audiences = requested.length > 0 ? requested : ctx.defaultAudience ? [client.audiences[0] as string] : [];

  const audience = audiences.length === 0 ? undefined : audiences.length === 1 ? audiences[0] : audiences;
  const accessToken = await ctx.issue(client, { audience, scopes });
  // RFC 6749 §5.1; scope is returned when there is one.
  return noStore(200, {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: Math.round(ctx.tokenLifetime),
    ...(scopes === undefined ? {} : { scope: scopes.join(" ") }),
  });
}
