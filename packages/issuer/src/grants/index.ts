// The grant table: every grant_type the token endpoint serves, in one place.
import { clientCredentialsGrant } from "./client-credentials.js";
import type { Grant } from "./types.js";

export const GRANTS: ReadonlyMap<string, Grant> = new Map<string, Grant>([["client_credentials", clientCredentialsGrant]]);
