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
  };
  jti: string;
}

export type Grant = (ctx: IssuerContext, params: ReadonlyMap<string, string>, client: ResolvedClient, method: ClientAuthMethod) => Promise<TokenResponse>;
