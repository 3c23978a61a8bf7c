// The identityProvider section: what resolveConfig makes of it, every
// refusal with its path and a message that says what to change, and the JSON
// Schema agreeing with resolveConfig on each case.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { IssuerConfigError, resolveConfig } from "../../../src/config/resolve.js";
import { fakeSecretHash } from "../../config/fixtures.js";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020") as new (
  options: Record<string, unknown>,
) => { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
const schema: unknown = JSON.parse(readFileSync(new URL("../../../schema/issuer-config.schema.json", import.meta.url), "utf8"));
const validate = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true }).compile(schema);

const HASH = fakeSecretHash();
const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

type Config = Record<string, unknown>;
const DELETE = Symbol("delete");

/** Sets (or deletes) the value at a dotted path such as "identityProvider.users.0.sub". */
function set(config: Config, path: string, value: unknown): void {
  const steps = path.split(".");
  const last = steps.pop() as string;
  let node = config as Record<string, unknown>;
  for (const step of steps) node = node[step] as Record<string, unknown>;
  if (value === DELETE) delete node[last];
  else node[last] = value;
}

function good(): Config {
  return {
    issuer: "https://idp.example.com",
    tokens: { lifetimeSeconds: 3600 },
    clients: [
      { clientId: "wiki", secretHash: HASH, grantTypes: ["authorization_code", EXCHANGE], audiences: ["https://api.example.com"], scopes: [] },
      { clientId: "m2m", secretHash: HASH, audiences: ["https://api.example.com"], scopes: ["read"] },
    ],
    identityProvider: {
      users: [
        { username: "alice", passwordHash: HASH, sub: "u-1", email: "alice@example.com", name: "Alice" },
        { username: "bob", passwordHash: HASH, sub: "u-2" },
      ],
      relyingParties: [{ client: "wiki", redirectUris: ["https://wiki.example.com/cb", "http://127.0.0.1:8080/cb", "com.example.wiki:/cb"] }],
      idJag: [
        {
          client: "wiki",
          audience: "https://as.example.net",
          clientIdAtAudience: "https://wiki.example.com/client.json",
          resources: ["https://api.example.net/"],
          scopes: ["chat.read"],
        },
        { client: "wiki", audience: "http://localhost:9100", clientIdAtAudience: "wiki-local" },
      ],
    },
  };
}

function problems(input: unknown): { path: string; message: string }[] {
  try {
    resolveConfig(input, { baseDir: "/srv" });
  } catch (error) {
    if (error instanceof IssuerConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("identityProvider configuration", () => {
  it("resolves users, relying parties, policies and lifetimes", () => {
    const config = resolveConfig(good(), { baseDir: "/srv" });
    const idp = config.identityProvider;
    expect(idp?.authorizationEndpoint).toBe("https://idp.example.com/oauth/authorize");
    expect(idp?.users.get("alice")).toEqual({ username: "alice", passwordHash: HASH, sub: "u-1", email: "alice@example.com", name: "Alice" });
    expect(idp?.usersBySub.get("u-2")?.username).toBe("bob");
    expect(idp?.redirectUris.get("wiki")).toEqual(["https://wiki.example.com/cb", "http://127.0.0.1:8080/cb", "com.example.wiki:/cb"]);
    expect(idp?.idTokenLifetimeSeconds).toBe(300);
    expect(idp?.idJagLifetimeSeconds).toBe(300);
    expect(idp?.idJag.get("wiki")?.get("https://as.example.net")).toEqual({
      client: "wiki",
      audience: "https://as.example.net",
      clientIdAtAudience: "https://wiki.example.com/client.json",
      resources: ["https://api.example.net/"],
      scopes: ["chat.read"],
    });
    expect(idp?.idJag.get("wiki")?.get("http://localhost:9100")).toMatchObject({ resources: [], scopes: [] });
    expect(validate(good()), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is off without the section, and lifetimes default to at most tokens.lifetimeSeconds", () => {
    expect(resolveConfig({ issuer: "https://a.example.com", clients: [(good().clients as Config[])[1]] }).identityProvider).toBeUndefined();
    const short = good();
    set(short, "tokens.lifetimeSeconds", 120);
    expect(resolveConfig(short).identityProvider?.idTokenLifetimeSeconds).toBe(120);
    const longer = good();
    set(longer, "identityProvider.idTokenLifetimeSeconds", 900);
    set(longer, "identityProvider.idJagLifetimeSeconds", 60);
    expect(resolveConfig(longer).identityProvider).toMatchObject({ idTokenLifetimeSeconds: 900, idJagLifetimeSeconds: 60 });
  });

  // [name, change, path, message, does the JSON Schema refuse it too?]
  const BROKEN: [string, (config: Config) => void, string, RegExp, boolean][] = [
    ["a plain password", (c) => set(c, "identityProvider.users.0.password", "secret"), "identityProvider.users[0].password", /tokenward secret hash/, true],
    [
      "a password hash that is a plain password",
      (c) => set(c, "identityProvider.users.0.passwordHash", "secret"),
      "identityProvider.users[0].passwordHash",
      /not a plain secret/,
      true,
    ],
    ["a missing sub", (c) => set(c, "identityProvider.users.1.sub", DELETE), "identityProvider.users[1].sub", /required/, true],
    ["a sub with a space", (c) => set(c, "identityProvider.users.1.sub", "u 2"), "identityProvider.users[1].sub", /255 printable ASCII/, true],
    ["a repeated username", (c) => set(c, "identityProvider.users.1.username", "alice"), "identityProvider.users[1].username", /unique/, false],
    ["a repeated sub", (c) => set(c, "identityProvider.users.1.sub", "u-1"), "identityProvider.users[1].sub", /one subject/, false],
    ["a username with a trailing space", (c) => set(c, "identityProvider.users.1.username", "bob "), "identityProvider.users[1].username", /whitespace/, true],
    ["an e-mail that is not one", (c) => set(c, "identityProvider.users.0.email", "alice"), "identityProvider.users[0].email", /e-mail address/, true],
    ["no users", (c) => set(c, "identityProvider.users", []), "identityProvider.users", /at least one/, true],
    ["no relying parties", (c) => set(c, "identityProvider.relyingParties", DELETE), "identityProvider.relyingParties", /required/, true],
    [
      "a relying party naming no client",
      (c) => set(c, "identityProvider.relyingParties.0.client", "wikki"),
      "identityProvider.relyingParties[0].client",
      /"wiki"/,
      false,
    ],
    [
      "a relying party without the authorization_code grant",
      (c) => set(c, "clients.0.grantTypes", [EXCHANGE]),
      "identityProvider.relyingParties[0].client",
      /add it there/,
      false,
    ],
    [
      "an http redirect URI off loopback",
      (c) => set(c, "identityProvider.relyingParties.0.redirectUris.0", "http://wiki.example.com/cb"),
      "identityProvider.relyingParties[0].redirectUris[0]",
      /loopback/,
      true,
    ],
    [
      "a redirect URI with a fragment",
      (c) => set(c, "identityProvider.relyingParties.0.redirectUris.0", "https://wiki.example.com/cb#x"),
      "identityProvider.relyingParties[0].redirectUris[0]",
      /fragment/,
      true,
    ],
    [
      "a javascript: redirect URI",
      (c) => set(c, "identityProvider.relyingParties.0.redirectUris.0", "javascript:alert(1)"),
      "identityProvider.relyingParties[0].redirectUris[0]",
      /scheme/,
      true,
    ],
    [
      "a relative redirect URI",
      (c) => set(c, "identityProvider.relyingParties.0.redirectUris.0", "/cb"),
      "identityProvider.relyingParties[0].redirectUris[0]",
      /absolute/,
      true,
    ],
    [
      "a client listing authorization_code without a relying party entry",
      (c) => set(c, "clients.1.grantTypes", ["client_credentials", "authorization_code"]),
      "identityProvider.relyingParties",
      /"m2m"/,
      false,
    ],
    ["a token-exchange client without a policy", (c) => set(c, "identityProvider.idJag", []), "identityProvider.idJag", /"wiki"/, false],
    [
      "a policy for a client without the token-exchange grant",
      (c) => set(c, "identityProvider.idJag.0.client", "m2m"),
      "identityProvider.idJag[0].client",
      /add it there/,
      false,
    ],
    [
      "a policy for this server itself",
      (c) => set(c, "identityProvider.idJag.0.audience", "https://idp.example.com"),
      "identityProvider.idJag[0].audience",
      /draft §8.3/,
      false,
    ],
    [
      "a policy audience that is not an issuer",
      (c) => set(c, "identityProvider.idJag.0.audience", "http://as.example.net"),
      "identityProvider.idJag[0].audience",
      /https/,
      true,
    ],
    [
      "two policies for one audience",
      (c) => set(c, "identityProvider.idJag.1.audience", "https://as.example.net"),
      "identityProvider.idJag[1].audience",
      /merge/,
      false,
    ],
    [
      "a policy without clientIdAtAudience",
      (c) => set(c, "identityProvider.idJag.0.clientIdAtAudience", DELETE),
      "identityProvider.idJag[0].clientIdAtAudience",
      /client_id/,
      true,
    ],
    [
      "a resource with a fragment",
      (c) => set(c, "identityProvider.idJag.0.resources", ["https://api.example.net/#x"]),
      "identityProvider.idJag[0].resources[0]",
      /RFC 8707/,
      true,
    ],
    ["a scope with a space", (c) => set(c, "identityProvider.idJag.0.scopes", ["chat read"]), "identityProvider.idJag[0].scopes[0]", /scope token/, true],
    ["a typo in a policy field", (c) => set(c, "identityProvider.idJag.0.scope", ["x"]), "identityProvider.idJag[0].scope", /did you mean "scopes"/, true],
    [
      "an ID token outliving the keys",
      (c) => set(c, "identityProvider.idTokenLifetimeSeconds", 7200),
      "identityProvider.idTokenLifetimeSeconds",
      /tokens.lifetimeSeconds/,
      false,
    ],
    ["an ID-JAG lifetime of zero", (c) => set(c, "identityProvider.idJagLifetimeSeconds", 0), "identityProvider.idJagLifetimeSeconds", /from 1 to 86400/, true],
    [
      "the authorization_code grant without the role",
      (c) => {
        set(c, "identityProvider", DELETE);
        set(c, "clients", [{ ...(good().clients as Config[])[1], grantTypes: ["authorization_code"] }]);
      },
      "identityProvider",
      /only the identity provider role serves/,
      false,
    ],
    [
      "the token-exchange grant without the role",
      (c) => {
        set(c, "identityProvider", DELETE);
        set(c, "clients", [{ ...(good().clients as Config[])[1], grantTypes: [EXCHANGE] }]);
      },
      "identityProvider",
      /urn:ietf:params:oauth:token-type:id-jag/,
      false,
    ],
  ];

  it.each(BROKEN)("refuses %s, naming the field and the fix", (_name, change, path, message, schemaRefuses) => {
    const config = good();
    change(config);
    const found = problems(config);
    expect(found.map((problem) => problem.path)).toContain(path);
    expect(found.find((problem) => problem.path === path)?.message).toMatch(message);
    // The schema refuses what it can express; the rest (cross-field rules) only resolveConfig refuses.
    expect(validate(config)).toBe(!schemaRefuses);
  });

  it("reports every problem at once", () => {
    const config = good();
    set(config, "identityProvider.users.0.sub", "");
    set(config, "identityProvider.relyingParties.0.redirectUris", ["ftp://x"]);
    set(config, "identityProvider.idJag.0.audience", "nope");
    expect(problems(config).map((problem) => problem.path)).toEqual(
      expect.arrayContaining(["identityProvider.users[0].sub", "identityProvider.relyingParties[0].redirectUris[0]", "identityProvider.idJag[0].audience"]),
    );
  });
});
