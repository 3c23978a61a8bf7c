import { type FactsConfig, permissionsOf, rolesOf, scopesOf } from "../authz/facts.js";
import type { JwsHeader } from "../jws/parse.js";
import { deepFreeze } from "./deep-freeze.js";
import type { IssuerInfo, JwtClaims, VerifiedToken } from "./types.js";

/**
 * A verified token. Frozen, and its claims frozen all the way down, because
 * the cache hands the same object to every request with the same token. The
 * authorization facts are derived on first use and then kept (in private
 * fields, which freezing does not touch): computed once per cached token,
 * and never for requests that do not ask.
 */
export class VerifiedResult<C extends JwtClaims = JwtClaims> implements VerifiedToken<C> {
  readonly claims: C;
  readonly header: JwsHeader;
  readonly issuer: IssuerInfo;
  readonly subject: string | undefined;
  readonly tenant: string | undefined;
  readonly expiresAt: number;
  readonly #facts: FactsConfig;
  #scopes: readonly string[] | undefined;
  #roles: readonly string[] | undefined;
  #permissions: readonly string[] | undefined;

  constructor(claims: C, header: JwsHeader, issuer: IssuerInfo, facts: FactsConfig, tenant: string | undefined, expiresAt: number) {
    this.claims = deepFreeze(claims);
    this.header = header;
    this.issuer = issuer;
    this.subject = typeof claims.sub === "string" ? claims.sub : undefined;
    this.tenant = tenant;
    this.expiresAt = expiresAt;
    this.#facts = facts;
    Object.freeze(this);
  }

  get scopes(): readonly string[] {
    this.#scopes ??= Object.freeze(scopesOf(this.claims));
    return this.#scopes;
  }

  get roles(): readonly string[] {
    this.#roles ??= Object.freeze(rolesOf(this.claims, this.#facts));
    return this.#roles;
  }

  get permissions(): readonly string[] {
    this.#permissions ??= Object.freeze(permissionsOf(this.claims, this.#facts));
    return this.#permissions;
  }

  /** What logs and JSON.stringify show: every field, facts included. */
  toJSON(): VerifiedToken<C> {
    const { claims, header, issuer, scopes, roles, permissions, subject, tenant, expiresAt } = this;
    return { claims, header, issuer, scopes, roles, permissions, subject, tenant, expiresAt };
  }
}
