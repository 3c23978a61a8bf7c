// Checks a user's password at sign-in. The stored form is the same slow
// salted hash as client secrets (secrets/hash.ts, scrypt, compared in
// constant time); an unknown username costs the same scrypt as a known one,
// so timing does not tell which usernames exist.

import { randomBytes } from "node:crypto";
import type { ResolvedIdentityProvider, ResolvedIdpUser } from "../config/types.js";
import { verifySecret } from "../secrets/hash.js";

// The parameters of `tokenward secret hash`, over a password nobody knows.
const DUMMY_HASH = `scrypt$15$8$1$${randomBytes(16).toString("base64url")}$${randomBytes(32).toString("base64url")}`;

/** The user whose username and password these are, or undefined; the same work either way. */
export async function authenticateUser(idp: ResolvedIdentityProvider, username: string, password: string): Promise<ResolvedIdpUser | undefined> {
  const user = idp.users.get(username);
  const candidate = password === "" ? "\u0000" : password;
  const matches = await verifySecret(candidate, user?.passwordHash ?? DUMMY_HASH);
  return user !== undefined && matches && password !== "" ? user : undefined;
}
