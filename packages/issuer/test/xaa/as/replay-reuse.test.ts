// Review regression: under idJag.reuse "allow-reuse", an assertion refused
// because another JWT already claimed its jti (RFC 7519 §4.1.7: a jti names
// one JWT; RFC 7523 §3 item 7) must stay refused when it is presented again.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunningIssuer } from "../../helpers/issuer.js";
import { ASSERTION_NOT_VALID, mintIdJag, type OAuthErrorBody, redeem, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

let idp: TestIdp;
let as: RunningIssuer;
beforeAll(async () => {
  idp = await startIdp();
  as = await startAs([idp], { idJag: { reuse: "allow-reuse" } });
});
afterAll(async () => {
  await as?.close();
  await idp?.close();
});

it("keeps refusing a second JWT with an already-redeemed jti, however often it is presented", async () => {
  const jti = randomUUID();
  const first = await mintIdJag(idp, as.issuerId, { jti });
  const impostor = await mintIdJag(idp, as.issuerId, { jti, scope: "read:data" });
  expect((await redeem(as, first)).status).toBe(200);
  for (let round = 0; round < 3; round++) {
    const response = await redeem(as, impostor);
    expect(response.status).toBe(400);
    expect((await response.json()) as OAuthErrorBody).toEqual({ error: "invalid_grant", error_description: ASSERTION_NOT_VALID });
  }
  // The JWT that claimed the jti first is still re-presentable (draft §4.4.3).
  expect((await redeem(as, first)).status).toBe(200);
});
