// The JSON Schema and resolveConfig describe one configuration: whatever the
// schema refuses, resolveConfig refuses; what the schema cannot express
// (cross-field and semantic rules) is listed, and only resolveConfig refuses it.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { IssuerConfigError, resolveConfig } from "../../src/config/resolve.js";
import { TRUST_BROKEN, TRUST_GOOD, TRUST_RESOLVE_ONLY } from "../xaa/as/config-cases.js";
import { BROKEN } from "./broken-cases.js";
import { EC_PUBLIC_JWK, full, minimal, SECRET_HASH } from "./fixtures.js";

// Ajv is in node_modules (through fastify); no dependency is added for it.
const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020") as new (
  options: Record<string, unknown>,
) => {
  compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown[] | null };
};

const schema: Record<string, unknown> = JSON.parse(readFileSync(new URL("../../schema/issuer-config.schema.json", import.meta.url), "utf8"));
const validate = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true }).compile(schema);

function resolves(input: unknown): boolean {
  try {
    resolveConfig(input, { baseDir: "/srv" });
    return true;
  } catch (error) {
    if (error instanceof IssuerConfigError) return false;
    throw error;
  }
}

// Rules beyond what a JSON Schema can say: the schema accepts these, resolveConfig does not.
const RESOLVE_ONLY = new Set([
  "issuer not normal",
  "issuer with dot segments",
  "issuer with //",
  "keys.publishLeadSeconds below max-age",
  "keys.rotateAfterDays too short",
  "secretHash with weak N",
  "secretHash with absurd N",
  "jwks with a broken key",
  "defaultScopes outside scopes",
  "claims too large",
  "claim value not JSON",
  "tokenLifetimeSeconds above tokens.lifetimeSeconds",
  "clientId template with private_key_jwt",
]);

const GOOD: [string, unknown][] = [
  ["minimal", minimal()],
  ["full", full()],
  ["loopback http issuer", { ...minimal(), issuer: "http://localhost:9000" }],
  ["[::1] issuer with a path", { ...minimal(), issuer: "http://[::1]:9000/tenant/" }],
  [
    "private_key_jwt only",
    {
      issuer: "https://auth.example.com",
      clients: [{ clientId: "signer", jwks: { keys: [EC_PUBLIC_JWK] }, authMethods: ["private_key_jwt"], audiences: ["a"], scopes: ["x"] }],
    },
  ],
  [
    "both kinds of methods",
    {
      issuer: "https://auth.example.com",
      clients: [{ clientId: "both", secretHash: SECRET_HASH, jwksUri: "http://127.0.0.1:8080/jwks", audiences: ["a"], scopes: [] }],
    },
  ],
  ["memory store", { ...minimal(), store: { type: "memory" } }],
  [
    "every grant type",
    { ...minimal(), clients: [{ ...(minimal().clients as object[])[0], grantTypes: ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"] }] },
  ],
];

describe("schema/issuer-config.schema.json", () => {
  it("is a valid draft 2020-12 schema with a description on every property", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      for (const [name, property] of Object.entries(properties ?? {})) {
        if (typeof (property as { description?: unknown }).description !== "string") missing.push(`${path}.${name}`);
        walk(property, `${path}.${name}`);
      }
      // Conditions (if/then/not) restate fields already described; they are not fields themselves.
      for (const [key, value] of Object.entries(node)) if (!["properties", "if", "then", "not"].includes(key)) walk(value, `${path}/${key}`);
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
  });

  it.each(GOOD)("accepts the good configuration %s, as resolveConfig does", (_name, input) => {
    expect(validate(input), JSON.stringify(validate.errors)).toBe(true);
    expect(resolves(input)).toBe(true);
  });

  it.each(BROKEN)("agrees with resolveConfig on: %s", (name, input) => {
    expect(resolves(input)).toBe(false);
    expect(validate(input)).toBe(RESOLVE_ONLY.has(name));
  });

  // Cross App Access, authorization server side (trustedIdentityProviders, idJag).
  it.each(TRUST_GOOD)("accepts the good configuration %s, as resolveConfig does", (_name, input) => {
    expect(validate(input), JSON.stringify(validate.errors)).toBe(true);
    expect(resolves(input)).toBe(true);
  });

  it.each(TRUST_BROKEN)("agrees with resolveConfig on: %s", (name, input) => {
    expect(resolves(input)).toBe(false);
    expect(validate(input)).toBe(TRUST_RESOLVE_ONLY.has(name));
  });
});
