// Token shapes (RFC 9068, and Auth0's machine-to-machine shape from the
// seed), custom claims from configuration and from a hook, the opt-in
// Prometheus metrics, and the structured events: never a secret or a token.
import { createVerifier } from "tokenward";
import { describe, expect, it } from "vitest";
import type { IssuerEvent } from "../../src/index.js";
import { API, basic, headerOf, payloadOf, postForm, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

const auth = () => ({ authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) });

async function issued(tokenEndpoint: string, params: Record<string, string> = {}): Promise<string> {
  const response = await postForm(tokenEndpoint, { grant_type: "client_credentials", ...params }, auth());
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe("the auth0 profile", () => {
  it("shapes tokens like Auth0's M2M tokens, which an Auth0-configured verifier accepts", async () => {
    const running = await startIssuer({
      path: "/",
      configure: (config) => {
        config.tokens = { profile: "auth0" };
      },
    });
    try {
      const token = await issued(running.tokenEndpoint, { audience: API, scope: "read:data write:data" });
      expect(headerOf(token).typ).toBe("JWT");
      const claims = payloadOf(token);
      expect(claims).toMatchObject({
        iss: running.issuerId,
        sub: `${SECRET_CLIENT.clientId}@clients`,
        aud: API,
        azp: SECRET_CLIENT.clientId,
        gty: "client-credentials",
        scope: "read:data write:data",
        "https://example.test/tenant_id": "tenant-123",
      });
      // Auth0's issuer ends in "/"; tokenward matches it byte for byte.
      const verifier = createVerifier({ issuers: [{ issuer: running.issuerId, audience: API }] });
      const verified = await verifier.verify(token);
      expect(verified.scopes).toEqual(["read:data", "write:data"]);
      expect(verified.claims["https://example.test/tenant_id"]).toBe("tenant-123");
    } finally {
      await running.close();
    }
  });
});

describe("custom claims", () => {
  it("adds a hook's claims after the configured ones, never overriding a registered claim", async () => {
    const running = await startIssuer({
      configure: (config) => {
        config.claims = ({ client, scopes, audience }) => ({
          "https://example.test/plan": "gold",
          "https://example.test/seen": `${client.clientId}|${scopes.join(",")}|${audience.join(",")}`,
          sub: "attacker",
          iss: "https://evil.example",
          scope: "admin",
        });
      },
    });
    try {
      const claims = payloadOf(await issued(running.tokenEndpoint));
      expect(claims).toMatchObject({
        sub: SECRET_CLIENT.clientId,
        iss: running.issuerId,
        scope: "read:data",
        "https://example.test/tenant_id": "tenant-123",
        "https://example.test/plan": "gold",
        "https://example.test/seen": `${SECRET_CLIENT.clientId}|read:data|${API}`,
      });
    } finally {
      await running.close();
    }
  });

  it("a hook that throws is a server_error answer, not a crash, and says nothing of why", async () => {
    const events: IssuerEvent[] = [];
    const running = await startIssuer({
      configure: (config) => {
        config.claims = () => {
          throw new Error("database down");
        };
        config.onEvent = (event) => events.push(event);
      },
    });
    try {
      const response = await postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, auth());
      expect(response.status).toBe(500);
      const body = (await response.json()) as Record<string, string>;
      expect(body.error).toBe("server_error");
      expect(JSON.stringify(body)).not.toContain("database");
      expect(events.some((event) => event.type === "server_error" && event.detail?.includes("database down"))).toBe(true);
    } finally {
      await running.close();
    }
  });
});

describe("metrics and events", () => {
  it("serves Prometheus metrics only when enabled", async () => {
    const off = await startIssuer();
    try {
      expect((await fetch(`${off.issuerId}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
    const on = await startIssuer({
      configure: (config) => {
        config.metrics = { enabled: true };
      },
    });
    try {
      await issued(on.tokenEndpoint);
      await postForm(on.tokenEndpoint, { grant_type: "client_credentials" }, { authorization: basic(SECRET_CLIENT.clientId, "wrong") });
      const response = await fetch(`${on.issuerId}/metrics`);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain(`tokenward_issuer_tokens_issued_total{client="${SECRET_CLIENT.clientId}",grant_type="client_credentials"} 1`);
      expect(text).toContain('tokenward_issuer_errors_total{endpoint="token",error="invalid_client"} 1');
      expect(text).toMatch(/tokenward_issuer_request_duration_seconds_count\{endpoint="token"\} 2/);
    } finally {
      await on.close();
    }
  });

  it("events carry what happened, never a secret or a token", async () => {
    const events: IssuerEvent[] = [];
    const running = await startIssuer({
      configure: (config) => {
        config.onEvent = (event) => events.push(event);
      },
    });
    try {
      const token = await issued(running.tokenEndpoint);
      await postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, { authorization: basic(SECRET_CLIENT.clientId, "guess-123") });
      await postForm(running.issuer.config.endpoints.introspection, { token }, auth());
      const text = JSON.stringify(events);
      expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(["token_issued", "request_refused", "introspected"]));
      for (const secret of [SECRET_CLIENT.secret, "guess-123", token, token.split(".")[2] as string]) expect(text).not.toContain(secret);
    } finally {
      await running.close();
    }
  });
});
