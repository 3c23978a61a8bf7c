import type { IssuerPolicy } from "../../verifier/types.js";
import { type PresetExtras, required } from "./shared.js";

export interface GoogleOptions extends PresetExtras {
  /** Your OAuth client ID(s): Google ID tokens carry it in `aud`. */
  readonly audience: string | readonly string[];
  /** Google Workspace: accept only accounts of this domain (the `hd` claim). */
  readonly hostedDomain?: string;
}

const JWKS = "https://www.googleapis.com/oauth2/v3/certs";

/**
 * Google ID tokens. Google spells `iss` two ways, `https://accounts.google.com`
 * and `accounts.google.com`, so this returns two policies sharing one JWKS.
 */
export function google(options: GoogleOptions): IssuerPolicy[] {
  const { hostedDomain, ...extras } = options;
  const audience = required("google.audience", options.audience);
  const claims = hostedDomain === undefined ? extras.claims : { ...extras.claims, hd: hostedDomain };
  const base = { ...extras, audience, jwksUri: JWKS, ...(claims === undefined ? {} : { claims }) };
  return [
    { name: "Google", ...base, issuer: "https://accounts.google.com" },
    { name: "Google (accounts.google.com)", ...base, issuer: "accounts.google.com" },
  ];
}
