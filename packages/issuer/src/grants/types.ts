import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";

/** RFC 6749 §5.1 (and RFC 8693 §2.2.1 for token exchange). */
export interface TokenResponse {
  body: {
    access_token: string;
    token_type: string;
    expires_in: number;
    scope?: string;
    issued_token_type?: string;
    /** OpenID Connect Core §3.1.3.3: the ID token of an authorization code grant. */
    id_token?: string;
    /** The granted resource (RFC 8707), an extension member: draft-ietf-oauth-identity-assertion-authz-grant §4.4.1 lists it in the ID-JAG grant's answer. */
    resource?: string;
  };
  jti: string;
}

export type Grant = (ctx: IssuerContext, params: ReadonlyMap<string, string>, client: ResolvedClient, method: ClientAuthMethod) => Promise<TokenResponse>;
