// The grant table: every grant_type the token endpoint serves, in one place.
import { JWT_BEARER, TOKEN_EXCHANGE } from "../id-jag/constants.js";
import { authorizationCodeGrant } from "../idp/authorization-code-grant.js";
import { clientCredentialsGrant } from "./client-credentials.js";
import { jwtBearerGrant } from "./jwt-bearer.js";
import { tokenExchangeGrant } from "./token-exchange.js";
import type { Grant } from "./types.js";

export const GRANTS: ReadonlyMap<string, Grant> = new Map<string, Grant>([
  ["client_credentials", clientCredentialsGrant],
  [JWT_BEARER, jwtBearerGrant],
  // The identity provider role (config identityProvider): user sign-in, and ID tokens exchanged for ID-JAGs.
  ["authorization_code", authorizationCodeGrant],
  [TOKEN_EXCHANGE, tokenExchangeGrant],
]);
