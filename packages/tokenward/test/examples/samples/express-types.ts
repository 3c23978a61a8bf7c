// A handler in a module of its own. Importing tokenward/express anywhere in
// the program adds `auth` to Express's Request type (a global augmentation).
import type { Request, Response } from "express";
import type {} from "../../../src/adapters/express.js";

export function whoAmI(req: Request, res: Response): void {
  // VerifiedToken | undefined: undefined on an optional route without a token.
  const auth = req.auth;
  if (auth === undefined) {
    res.json({ anonymous: true });
    return;
  }
  // Claims beyond the registered ones are `unknown`: check before use.
  const tenant = typeof auth.claims.tid === "string" ? auth.claims.tid : null;
  res.json({
    sub: auth.subject,
    tenant,
    scopes: auth.scopes,
    roles: auth.roles,
    permissions: auth.permissions,
    issuer: auth.issuer.issuer,
    expiresAt: auth.expiresAt,
  });
}
