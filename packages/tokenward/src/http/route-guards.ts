import { type Guard, requireClaim, requirePermissions, requireRoles, requireScopes } from "../authz/guards.js";

export interface RouteGuards<H> {
  /** 403 insufficient_scope (with the scopes in the challenge) unless the token has the scopes. */
  readonly requireScopes: (...args: Parameters<typeof requireScopes>) => H;
  /** 403 access_denied unless the token has the roles. */
  readonly requireRoles: (...args: Parameters<typeof requireRoles>) => H;
  /** 403 access_denied unless the token has the permissions. */
  readonly requirePermissions: (...args: Parameters<typeof requirePermissions>) => H;
  /** 403 access_denied unless the claim has the value or passes the predicate. */
  readonly requireClaim: (...args: Parameters<typeof requireClaim>) => H;
}

/** The core guards as one framework's route handlers, through that adapter's `guard(...)`. */
export function routeGuards<H>(guard: (...guards: Guard[]) => H): RouteGuards<H> {
  return {
    requireScopes: (...args) => guard(requireScopes(...args)),
    requireRoles: (...args) => guard(requireRoles(...args)),
    requirePermissions: (...args) => guard(requirePermissions(...args)),
    requireClaim: (...args) => guard(requireClaim(...args)),
  };
}
