import { randomBytes } from "node:crypto";

/** A secretHash in the exact form `tokenward secret hash` writes (random bytes: no secret hashes to it). */
export function fakeSecretHash(): string {
  return `scrypt$15$8$1$${randomBytes(16).toString("base64url")}$${randomBytes(32).toString("base64url")}`;
}

export const SECRET_HASH = fakeSecretHash();

/** A public P-256 JWK (from a fixed test key; only the public half). */
export const EC_PUBLIC_JWK = {
  kty: "EC",
  crv: "P-256",
  x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
};

/** The smallest valid configuration. */
export function minimal(): Record<string, unknown> {
  return {
    issuer: "https://auth.example.com",
    clients: [{ clientId: "billing", secretHash: SECRET_HASH, audiences: ["https://api.example.com"], scopes: ["read:data", "write:data"] }],
  };
}

/** Every field set. */
export function full(): Record<string, unknown> {
  return {
    $schema: "./node_modules/@tokenward/issuer/schema/issuer-config.schema.json",
    issuer: "https://auth.example.com/tenant-a/",
    keys: { directory: "keys", algorithm: "ES256", rotateAfterDays: 30, publishLeadSeconds: 900, jwksMaxAgeSeconds: 600 },
    tokens: { lifetimeSeconds: 7200, profile: "auth0" },
    clients: [
      {
        clientId: "billing",
        name: "Billing service",
        secretHash: SECRET_HASH,
        authMethods: ["client_secret_post"],
        grantTypes: ["client_credentials", "authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange"],
        audiences: ["https://api.example.com", "urn:example:ledger"],
        scopes: ["read:data", "write:data"],
        defaultScopes: ["read:data"],
        claims: { "https://example.com/tier": "gold", "https://example.com/limits": { daily: 10, tags: ["a", null, true] } },
        tokenLifetimeSeconds: 600,
        rateLimitPerMinute: 0,
        introspect: false,
      },
      { clientId: "signer", jwks: { keys: [EC_PUBLIC_JWK] }, audiences: ["https://api.example.com"], scopes: [] },
      { clientId: "remote", jwksUri: "https://keys.example.com/jwks.json", audiences: ["https://api.example.com"], scopes: ["read:data"] },
    ],
    store: { type: "redis", url: "rediss://:hunter2@redis.example.com:6380/0", keyPrefix: "auth:" },
    rateLimit: { perClientPerMinute: 120 },
    limits: { maxBodyBytes: 32768, maxAssertionLifetimeSeconds: 120, clockToleranceSeconds: 10 },
    metrics: { enabled: true },
    identityProvider: {
      users: [{ username: "alice", passwordHash: SECRET_HASH, sub: "u-1001", email: "alice@example.com", name: "Alice Example" }],
      relyingParties: [{ client: "billing", redirectUris: ["https://billing.example.com/callback", "com.example.billing:/callback"] }],
      idTokenLifetimeSeconds: 600,
      idJagLifetimeSeconds: 120,
      idJag: [
        {
          client: "billing",
          audience: "https://as.partner.example",
          clientIdAtAudience: "billing-at-partner",
          resources: ["https://api.partner.example"],
          scopes: ["read:data"],
        },
      ],
    },
  };
}
