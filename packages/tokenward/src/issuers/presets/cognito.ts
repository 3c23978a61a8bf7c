import { ConfigError } from "../../errors/config-error.js";
import { show } from "../../errors/hints.js";
import type { ClaimExpectation, IssuerPolicy } from "../../verifier/types.js";
import type { PresetExtras } from "./shared.js";

export interface CognitoOptions extends PresetExtras {
  /** The user pool id, e.g. `us-east-1_abcdefg`; its prefix is the region. */
  readonly userPoolId: string;
  /** Optional, checked against the pool id's prefix. */
  readonly region?: string;
  /** Which token this API takes: `access` (APIs) or `id`. */
  readonly tokenUse: "access" | "id";
  /** App client id(s): an access token's `client_id`, an ID token's `aud`. */
  readonly clientId?: string | readonly string[];
  /** For access tokens minted for a resource (RFC 8707): the accepted `aud`. */
  readonly audience?: string | readonly string[];
  /**
   * Cognito's issuer forms: `original` (`https://cognito-idp.<region>.amazonaws.com/<pool>`),
   * `updated` (`https://issuer-cognito-idp.<region>.amazonaws.com/<pool>`, multi-Region
   * resilient), or `both` (default) while a pool moves from one to the other.
   */
  readonly issuerFormat?: "original" | "updated" | "both";
}

const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;

/**
 * AWS Cognito user pools. Access tokens carry the app client in `client_id`
 * and no `aud` (unless minted for a resource), and every token says what it is
 * in `token_use`; an ID token offered as an access token is refused with
 * `type_not_allowed`.
 */
export function cognito(options: CognitoOptions): IssuerPolicy[] {
  const { userPoolId, region, tokenUse, clientId, audience, issuerFormat = "both", ...extras } = options;
  const match = typeof userPoolId === "string" ? POOL_ID.exec(userPoolId) : null;
  if (match === null) throw new ConfigError("cognito.userPoolId", `${show(userPoolId)} is not a user pool id such as us-east-1_abcdefg`);
  const poolRegion = match[1] as string;
  if (region !== undefined && region !== poolRegion)
    throw new ConfigError("cognito.region", `${show(region)} does not match the pool id's region ${poolRegion}`);
  if (tokenUse !== "access" && tokenUse !== "id") throw new ConfigError("cognito.tokenUse", 'must be "access" or "id"');
  if (!["original", "updated", "both"].includes(issuerFormat)) throw new ConfigError("cognito.issuerFormat", 'must be "original", "updated" or "both"');

  const clients = clientId === undefined ? undefined : typeof clientId === "string" ? [clientId] : [...clientId];
  if (clients !== undefined && (clients.length === 0 || !clients.every((id) => typeof id === "string" && id !== ""))) {
    throw new ConfigError("cognito.clientId", "must be an app client id or a non-empty list of them");
  }
  let audiencePolicy: Pick<IssuerPolicy, "audience" | "audienceClaim" | "claims" | "dangerouslyAcceptAnyAudience">;
  if (tokenUse === "id") {
    if (clients === undefined) throw new ConfigError("cognito.clientId", "ID tokens carry the app client id in aud; set clientId");
    audiencePolicy = { audience: clients };
  } else if (audience !== undefined) {
    const claims: Record<string, ClaimExpectation> = { ...extras.claims };
    if (clients !== undefined) claims.client_id = (value: unknown) => typeof value === "string" && clients.includes(value);
    audiencePolicy = { audience, claims };
  } else if (clients !== undefined) {
    audiencePolicy = { audience: clients, audienceClaim: "client_id" };
  } else if (extras.dangerouslyAcceptAnyAudience === true) {
    audiencePolicy = { dangerouslyAcceptAnyAudience: true };
  } else {
    throw new ConfigError("cognito.clientId", "set clientId (the app clients whose access tokens this API takes), or audience for resource-bound tokens");
  }

  const hosts = issuerFormat === "both" ? ["cognito-idp", "issuer-cognito-idp"] : issuerFormat === "original" ? ["cognito-idp"] : ["issuer-cognito-idp"];
  return hosts.map((host) => {
    const issuer = `https://${host}.${poolRegion}.amazonaws.com/${userPoolId}`;
    return {
      name: `Cognito ${userPoolId}${host === "issuer-cognito-idp" ? " (updated issuer)" : ""}`,
      ...extras,
      ...audiencePolicy,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      // Checked before the audience: an ID token has no client_id and the app
      // client in aud, and must be refused as the wrong kind, not the wrong audience.
      kindClaims: { ...extras.kindClaims, token_use: tokenUse },
    };
  });
}
