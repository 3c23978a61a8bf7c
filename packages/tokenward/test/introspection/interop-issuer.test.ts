import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIssuer, hashSecret, type Issuer, type IssuerEvent, type RunningServer } from "@tokenward/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type IntrospectionOptions } from "../../src/index.js";
import { refusal } from "../helpers/jwks-faults.js";
import { opaqueToken } from "./helpers.js";

// Interop with the real @tokenward/issuer on 127.0.0.1: its access tokens
// are JWTs, verified in full, then introspected at its /oauth/introspect
// (found through its RFC 8414 metadata) with the "introspect JWTs too"
// option; its RFC 7009 revocation is then seen by the verifier. Opaque
// tokens, which it never issued, are answered inactive.

const API = "https://api.example.test";
const SERVICE = { clientId: "billing-service", secret: "service-secret-1" };
const RESOURCE = { clientId: "orders-api", secret: "resource:secret with spaces+%" };
const LOCKED = { clientId: "no-introspect-api", secret: "locked-secret-2" };

let keyDir: string;
let issuer: Issuer;
let server: RunningServer;
let origin: string;
const events: IssuerEvent[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), "tokenward-introspection-"));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  issuer = await createIssuer({
    issuer: origin,
    keys: { directory: keyDir, algorithm: "ES256" },
    clients: [
      { clientId: SERVICE.clientId, secretHash: await hashSecret(SERVICE.secret), audiences: [API], scopes: ["read:data", "write:data"] },
      { clientId: RESOURCE.clientId, secretHash: await hashSecret(RESOURCE.secret), audiences: [API], scopes: [], introspect: true },
      { clientId: LOCKED.clientId, secretHash: await hashSecret(LOCKED.secret), audiences: [API], scopes: [], introspect: false },
    ],
    onEvent: (event) => events.push(event),
  });
  server = await issuer.listen({ port, hostname: "127.0.0.1" });
});

afterAll(async () => {
  await server?.close();
  await issuer?.close();
  await rm(keyDir, { recursive: true, force: true });
});

function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}

async function post(path: string, client: { clientId: string; secret: string }, params: Record<string, string>): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(client.clientId, client.secret) },
    body: new URLSearchParams(params).toString(),
  });
}

async function accessToken(): Promise<string> {
  const response = await post("/oauth/token", SERVICE, { grant_type: "client_credentials", audience: API, scope: "read:data write:data" });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function verifierAs(client: { clientId: string; secret: string }, introspection: Partial<IntrospectionOptions> = {}) {
  return createVerifier({
    issuers: [
      {
        issuer: origin,
        audience: API,
        // No jwksUri, no endpoint: both come from the issuer's metadata.
        introspection: { clientId: client.clientId, clientSecret: client.secret, introspectJwts: true, ...introspection },
      },
    ],
  });
}

const introspected = () => events.filter((event) => event.type === "introspected");

describe("@tokenward/issuer's introspection endpoint, with introspectJwts", () => {
  it("an issued access token verifies, and was introspected once (client_secret_basic, endpoint discovered)", async () => {
    const token = await accessToken();
    const before = introspected().length;
    const verifier = verifierAs(RESOURCE);
    const verified = await verifier.verify(token);
    expect(verified.issuer.issuer).toBe(origin);
    expect(verified.header.typ).toBe("at+jwt");
    expect(verified.scopes).toEqual(["read:data", "write:data"]);
    expect(verified.claims.client_id).toBe(SERVICE.clientId);
    await verifier.verify(token);
    const seen = introspected().slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ clientId: RESOURCE.clientId, detail: "active" });
  });

  it("client_secret_post works as well", async () => {
    const token = await accessToken();
    const before = introspected().length;
    await expect(verifierAs(RESOURCE, { auth: "client_secret_post" }).verify(token)).resolves.toBeDefined();
    expect(introspected().slice(before)).toMatchObject([{ clientId: RESOURCE.clientId, detail: "active" }]);
  });

  it("a token revoked at the issuer (RFC 7009) is refused: token_inactive", async () => {
    const token = await accessToken();
    const verifier = verifierAs(RESOURCE, { cache: false });
    await verifier.verify(token);
    const revoked = await post("/oauth/revoke", SERVICE, { token, token_type_hint: "access_token" });
    expect(revoked.status).toBe(200);
    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe("token_inactive");
    expect(error.hint).toContain(`${origin}/oauth/introspect`);
  });

  it("a wrong client secret is introspection_unavailable, with a hint about the credentials and without the secret", async () => {
    const wrong = { clientId: RESOURCE.clientId, secret: "not-the-secret" };
    const error = await refusal(verifierAs(wrong).verify(await accessToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.status).toBe(503);
    expect(error.hint).toContain("refused this API's client credentials (HTTP 401");
    expect(error.hint).toContain("invalid_client");
    expect(error.hint).not.toContain("not-the-secret");
  });

  it("a client the issuer does not let introspect is told so", async () => {
    const error = await refusal(verifierAs(LOCKED).verify(await accessToken()));
    expect(error.code).toBe("introspection_unavailable");
    expect(error.hint).toContain(`does not let client "${LOCKED.clientId}" introspect tokens`);
    expect(error.hint).toContain("unauthorized_client");
  });

  it("an opaque token it never issued is inactive", async () => {
    const error = await refusal(verifierAs(RESOURCE).verify(opaqueToken()));
    expect(error.code).toBe("token_inactive");
  });
});
