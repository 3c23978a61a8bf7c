import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createMockIssuer, INVALID_TOKENS, type InvalidTokenKind } from "@tokenward/testing";
import { createVerifier } from "tokenward";
import { afterAll, expect, it } from "vitest";
import { createApp } from "./app.js";

const issuer = await createMockIssuer();
const server = createApp(createVerifier({ issuers: [issuer.policy()] })).listen(0, "127.0.0.1");
await once(server, "listening");
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(async () => {
  server.close();
  await issuer.close();
});

const getOrders = (token: string) => fetch(`${api}/orders`, { headers: { authorization: `Bearer ${token}` } });

it("serves a token with the scope", async () => {
  const response = await getOrders(await issuer.mint({ sub: "alice" }, { scopes: ["read:orders"] }));
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ for: "alice" });
});

it("refuses a token without the scope", async () => {
  expect((await getOrders(await issuer.mint())).status).toBe(403);
});

it.each(Object.keys(INVALID_TOKENS) as InvalidTokenKind[])("refuses the %s token", async (kind) => {
  expect((await getOrders(await issuer.mintInvalid(kind))).status).toBe(INVALID_TOKENS[kind].status);
});
