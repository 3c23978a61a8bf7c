// JWT access tokens, RFC 9068, in two shapes:
// - "rfc9068": typ at+jwt; iss, sub (the client: §2.2 says sub is the client
//   when no resource owner is involved), aud, exp, iat, jti, client_id, scope;
// - "auth0": what Auth0 issues for machine-to-machine applications
//   (sub "<client_id>@clients", azp, gty "client-credentials", typ JWT), so
//   that APIs written against Auth0 accept them unchanged.
// Custom claims (the client's configured ones, then the hook's) never
// override a registered claim.

import { randomUUID } from "node:crypto";
import type { JsonValue, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { RESERVED_CLAIMS } from "./reserved-claims.js";

export interface AccessTokenRequest {
  client: ResolvedClient;
  grantType: string;
  /** The granted audiences (resource servers), one or more. */
  audience: readonly string[];
  scopes: readonly string[];
  /** The subject when it is not the client (the ID-JAG grant); defaults to the client. */
  subject?: string;
  /** Extra registered claims a grant sets itself (e.g. act, auth_time); applied before custom claims. */
  extra?: Record<string, JsonValue>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  scope: string;
  audience: readonly string[];
}

const GRANT_TYPE_GTY: Record<string, string> = {
  client_credentials: "client-credentials",
  "urn:ietf:params:oauth:grant-type:jwt-bearer": "jwt-bearer",
};

export async function issueAccessToken(ctx: IssuerContext, request: AccessTokenRequest): Promise<IssuedAccessToken> {
  const { client, audience, scopes } = request;
  const iat = Math.floor(ctx.now() / 1000);
  const expiresIn = Math.min(client.tokenLifetimeSeconds, ctx.config.tokens.lifetimeSeconds);
  const jti = randomUUID();
  const scope = scopes.join(" ");
  const auth0 = ctx.config.tokens.profile === "auth0";

  const payload: Record<string, unknown> = {
    iss: ctx.config.issuer,
    sub: request.subject ?? (auth0 ? `${client.clientId}@clients` : client.clientId),
    // RFC 9068 §2.2: aud is the resource; a single audience as a string, as most validators expect.
    aud: audience.length === 1 ? audience[0] : [...audience],
    iat,
    exp: iat + expiresIn,
    jti,
  };
  if (auth0) {
    payload.azp = client.clientId;
    payload.gty = GRANT_TYPE_GTY[request.grantType] ?? request.grantType;
  } else {
    payload.client_id = client.clientId;
  }
  // RFC 9068 §2.2.3: scope as in RFC 8693 §4.2, space separated; left out when nothing was granted.
  if (scope !== "") payload.scope = scope;
  if (request.extra !== undefined) Object.assign(payload, request.extra);
  addCustomClaims(payload, client.claims);
  if (ctx.claimsHook !== undefined) {
    let added: Record<string, JsonValue>;
    try {
      added = await ctx.claimsHook({ client, grantType: request.grantType, audience, scopes });
    } catch (error) {
      throw new OAuthError("server_error", "the token could not be issued", {
        detail: `the claims hook threw: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    addCustomClaims(payload, added);
  }

  // RFC 9068 §2.1: typ MUST be at+jwt. The auth0 profile mirrors Auth0's own header.
  const token = await ctx.keys.sign({ typ: auth0 ? "JWT" : "at+jwt" }, payload);
  return { token, jti, expiresIn, scope, audience };
}

function addCustomClaims(payload: Record<string, unknown>, claims: Readonly<Record<string, JsonValue>> | undefined): void {
  if (claims === undefined || claims === null || typeof claims !== "object") return;
  for (const [name, value] of Object.entries(claims)) {
    // Configured claims were checked at start-up; a hook's are checked here, and a
    // registered claim is never overridden (it would let a hook mint another client's token).
    if (RESERVED_CLAIMS.has(name) || name === "__proto__") continue;
    payload[name] = value;
  }
}
