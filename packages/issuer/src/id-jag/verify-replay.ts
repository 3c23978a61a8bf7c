// The replay rule for redeemed ID-JAGs (RFC 7523 §3 item 7, RFC 7521 §5.2:
// the server "MAY reject assertions with identifiers it has already
// processed"). Every jti is recorded in the shared store until the last
// moment the ID-JAG could still be accepted (exp plus the clock tolerance),
// and only after the whole request passed, so a refused request never burns
// an ID-JAG and a forged one never reaches the store. A store that cannot
// answer throws StoreUnavailableError, which app.ts answers with 503.
//
// - "single-use" (default): a second redemption of the same jti, on any
//   instance sharing the store, is refused.
// - "allow-reuse": draft-ietf-oauth-identity-assertion-authz-grant §4.4.3
//   (editor's copy after -03) lets a client re-submit the same ID-JAG for a
//   new access token while it is valid. The same ID-JAG is accepted again; a
//   different assertion carrying an already-seen jti is refused, since a jti
//   names one JWT (RFC 7519 §4.1.7).

import { createHash } from "node:crypto";
import type { IssuerContext } from "../context.js";
import { assertionRefused } from "./verify-failure.js";
import type { VerifiedIdJag } from "./verify-id-jag.js";

export async function recordIdJagUse(ctx: IssuerContext, grant: VerifiedIdJag, assertion: string): Promise<void> {
  const { config, store } = ctx;
  const keepUntilMs = (grant.exp + config.idJag.clockToleranceSeconds) * 1000;
  const namespace = `id-jag:${grant.provider.issuer}`;
  if (config.idJag.reuse === "single-use") {
    const first = await store.useOnce(namespace, grant.jti, keepUntilMs);
    if (!first) throw assertionRefused(`jti ${JSON.stringify(grant.jti.slice(0, 100))} was already redeemed (idJag.reuse is "single-use")`);
    return;
  }
  // The assertion's digest first, then its jti: two requests racing with the same
  // ID-JAG are both accepted, two different JWTs racing with one jti are not.
  const digest = createHash("sha256").update(assertion).digest("base64url");
  const assertionKey = `${grant.jti}#${digest}`;
  // A JWT refused for its jti is marked (store.revoke: a set with a plain membership test), so that
  // presenting it again, when its digest is no longer new, does not pass for the JWT that owns the jti.
  const conflictKey = `id-jag-jti-conflict:${grant.provider.issuer}:${assertionKey}`;
  const newAssertion = await store.useOnce(`id-jag-assertion:${grant.provider.issuer}`, assertionKey, keepUntilMs);
  if (!newAssertion) {
    if (await store.isRevoked(conflictKey)) throw conflict(grant);
    return;
  }
  const newJti = await store.useOnce(namespace, grant.jti, keepUntilMs);
  if (!newJti) {
    await store.revoke(conflictKey, keepUntilMs);
    throw conflict(grant);
  }
}

// RFC 7519 §4.1.7: a jti names one JWT; RFC 7523 §3 item 7: a jti already processed may be refused.
function conflict(grant: VerifiedIdJag): Error {
  return assertionRefused(`jti ${JSON.stringify(grant.jti.slice(0, 100))} was already used by a different assertion of ${grant.provider.issuer}`);
}
