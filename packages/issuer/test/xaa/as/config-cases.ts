// Configurations of the authorization server side of Cross App Access
// (trustedIdentityProviders, idJag): good ones, and broken ones that each
// break one rule, naming the problem expected. Shared by config.test.ts and
// test/config/schema.test.ts (schema and resolveConfig must agree).
import { EC_PUBLIC_JWK, minimal, SECRET_HASH } from "../../config/fixtures.js";

type Config = Record<string, unknown>;

export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const IDP = "https://idp.example.com";

/** minimal() with its client allowed the jwt-bearer grant, a second one that is not, and `trust` as trustedIdentityProviders. */
export function trusting(trust: unknown[], extra: Config = {}): Config {
  return {
    ...minimal(),
    clients: [
      { clientId: "agent", secretHash: SECRET_HASH, grantTypes: [JWT_BEARER], audiences: ["https://api.example.com"], scopes: ["read:data"] },
      { clientId: "billing", secretHash: SECRET_HASH, audiences: ["https://api.example.com"], scopes: ["read:data"] },
    ],
    trustedIdentityProviders: trust,
    ...extra,
  };
}

export const TRUST_GOOD: [string, Config][] = [
  ["a trusted provider by discovery", trusting([{ issuer: IDP }])],
  [
    "every trust field",
    trusting(
      [
        {
          issuer: IDP,
          jwksUri: "https://idp.example.com/oauth2/v1/keys",
          algorithms: ["RS256", "ES256"],
          clients: ["agent"],
          subject: {
            prefix: "okta|",
            accounts: [
              { match: { email: "ada@example.com" }, subject: "user-1" },
              { match: { sub: "U1", tenant: "acme" }, subject: "user-2" },
            ],
            unmatched: "sub",
          },
        },
        {
          issuer: "http://127.0.0.1:9000/tenant",
          jwks: { keys: [EC_PUBLIC_JWK] },
          subject: { accounts: [{ match: { sub: "x" }, subject: "y" }], unmatched: "refuse" },
        },
      ],
      { idJag: { reuse: "allow-reuse", maxLifetimeSeconds: 600, clockToleranceSeconds: 5 } },
    ),
  ],
  ["idJag alone", { ...minimal(), idJag: { reuse: "single-use" } }],
];

const provider = (fields: Config): Config => trusting([{ issuer: IDP, ...fields }]);

// [name, configuration, path of the problem, message]
export const TRUST_BROKEN: [string, Config, string, RegExp][] = [
  [
    "trusted issuer is this server",
    trusting([{ issuer: "https://auth.example.com" }]),
    "trustedIdentityProviders[0].issuer",
    /this server's own issuer.*§8\.3/,
  ],
  [
    "trusted issuer over http",
    provider({ issuer: "http://idp.example.com" }),
    "trustedIdentityProviders[0].issuer",
    /must be https, or http on a loopback host/,
  ],
  ["trusted issuer with a query", provider({ issuer: "https://idp.example.com/?a=b" }), "trustedIdentityProviders[0].issuer", /must not have a query/],
  [
    "trusted issuer template",
    provider({ issuer: "https://login.example.com/{tenantid}/v2.0" }),
    "trustedIdentityProviders[0].issuer",
    /must not contain \{tenantid\}/,
  ],
  [
    "trusted issuer missing",
    trusting([{ jwksUri: "https://idp.example.com/keys" }]),
    "trustedIdentityProviders[0].issuer",
    /required: the identity provider's issuer/,
  ],
  [
    "trusted issuer twice",
    trusting([
      { issuer: IDP, subject: { prefix: "a|" } },
      { issuer: IDP, subject: { prefix: "b|" } },
    ]),
    "trustedIdentityProviders[1].issuer",
    /is trusted twice/,
  ],
  [
    "trusted provider unknown field",
    provider({ jwks_uri: "https://idp.example.com/keys" }),
    "trustedIdentityProviders[0].jwks_uri",
    /did you mean "jwksUri"\?/,
  ],
  [
    "trusted jwks and jwksUri",
    provider({ jwksUri: "https://idp.example.com/keys", jwks: { keys: [EC_PUBLIC_JWK] } }),
    "trustedIdentityProviders[0].jwksUri",
    /not both/,
  ],
  ["trusted jwksUri over http", provider({ jwksUri: "http://idp.example.com/keys" }), "trustedIdentityProviders[0].jwksUri", /must be https/],
  [
    "trusted jwksUri is our own",
    provider({ jwksUri: "https://auth.example.com/.well-known/jwks.json" }),
    "trustedIdentityProviders[0].jwksUri",
    /this server's own JWKS/,
  ],
  ["trusted jwks with a symmetric key", provider({ jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } }), "trustedIdentityProviders[0].jwks.keys[0]", /symmetric/],
  [
    "trusted jwks with a private key",
    provider({ jwks: { keys: [{ ...EC_PUBLIC_JWK, d: "x" }] } }),
    "trustedIdentityProviders[0].jwks.keys[0]",
    /private key material/,
  ],
  [
    "trusted jwks with a broken key",
    provider({ jwks: { keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }] } }),
    "trustedIdentityProviders[0].jwks.keys[0]",
    /is not usable/,
  ],
  [
    "trusted jwks unusable with the algorithms",
    provider({ jwks: { keys: [EC_PUBLIC_JWK] }, algorithms: ["RS256", "PS256"] }),
    "trustedIdentityProviders[0].algorithms",
    /can be verified with the keys in jwks \(EC\)/,
  ],
  ["trusted algorithm HS256", provider({ algorithms: ["HS256"] }), "trustedIdentityProviders[0].algorithms[0]", /never accepted/],
  ["trusted algorithm none", provider({ algorithms: ["none"] }), "trustedIdentityProviders[0].algorithms[0]", /never accepted/],
  ["trusted algorithm typo", provider({ algorithms: ["es256"] }), "trustedIdentityProviders[0].algorithms[0]", /did you mean "ES256"\?/],
  ["trusted algorithms empty", provider({ algorithms: [] }), "trustedIdentityProviders[0].algorithms", /at least one/],
  ["trusted clients unknown", provider({ clients: ["agents"] }), "trustedIdentityProviders[0].clients[0]", /not a configured clientId; did you mean "agent"\?/],
  ["trusted clients without the grant", provider({ clients: ["billing"] }), "trustedIdentityProviders[0].clients[0]", /may not use the jwt-bearer grant/],
  [
    "no client may redeem",
    { ...minimal(), trustedIdentityProviders: [{ issuer: IDP }] },
    "trustedIdentityProviders",
    /no client may redeem ID-JAGs: add "urn:ietf:params:oauth:grant-type:jwt-bearer"/,
  ],
  ["subject unknown field", provider({ subject: { prefx: "a|" } }), "trustedIdentityProviders[0].subject.prefx", /did you mean "prefix"\?/],
  ["subject prefix control character", provider({ subject: { prefix: "a\n" } }), "trustedIdentityProviders[0].subject.prefix", /control characters/],
  ["subject unmatched typo", provider({ subject: { unmatched: "refused" } }), "trustedIdentityProviders[0].subject.unmatched", /did you mean "refuse"\?/],
  [
    "subject refuse without accounts",
    provider({ subject: { unmatched: "refuse" } }),
    "trustedIdentityProviders[0].subject.unmatched",
    /every user would be refused/,
  ],
  ["account without match", provider({ subject: { accounts: [{ subject: "u" }] } }), "trustedIdentityProviders[0].subject.accounts[0].match", /required/],
  [
    "account match empty",
    provider({ subject: { accounts: [{ match: {}, subject: "u" }] } }),
    "trustedIdentityProviders[0].subject.accounts[0].match",
    /names no claim/,
  ],
  [
    "account match unknown claim",
    provider({ subject: { accounts: [{ match: { mail: "a@b" }, subject: "u" }] } }),
    "trustedIdentityProviders[0].subject.accounts[0].match.mail",
    /did you mean "email"\?/,
  ],
  [
    "account without subject",
    provider({ subject: { accounts: [{ match: { sub: "a" } }] } }),
    "trustedIdentityProviders[0].subject.accounts[0].subject",
    /required/,
  ],
  [
    "account subject empty",
    provider({ subject: { accounts: [{ match: { sub: "a" }, subject: "" }] } }),
    "trustedIdentityProviders[0].subject.accounts[0].subject",
    /1 to 255/,
  ],
  [
    "two providers passing subjects through",
    trusting([{ issuer: IDP }, { issuer: "https://other-idp.example.com" }]),
    "trustedIdentityProviders[1].subject",
    /overlaps trustedIdentityProviders\[0\]'s ""/,
  ],
  [
    "two providers with overlapping prefixes",
    trusting([
      { issuer: IDP, subject: { prefix: "okta" } },
      { issuer: "https://other-idp.example.com", subject: { prefix: "okta|" } },
    ]),
    "trustedIdentityProviders[1].subject",
    /overlaps/,
  ],
  ["trustedIdentityProviders not an array", { ...minimal(), trustedIdentityProviders: { issuer: IDP } }, "trustedIdentityProviders", /must be an array/],
  ["idJag reuse typo", { ...minimal(), idJag: { reuse: "single" } }, "idJag.reuse", /must be one of "single-use", "allow-reuse"/],
  ["idJag maxLifetimeSeconds 0", { ...minimal(), idJag: { maxLifetimeSeconds: 0 } }, "idJag.maxLifetimeSeconds", /must be from 1 to 3600/],
  ["idJag clockToleranceSeconds too large", { ...minimal(), idJag: { clockToleranceSeconds: 301 } }, "idJag.clockToleranceSeconds", /must be from 0 to 300/],
  [
    "idJag unknown field",
    { ...minimal(), idJag: { reuse: "single-use", maxLifetimeSecond: 60 } },
    "idJag.maxLifetimeSecond",
    /did you mean "maxLifetimeSeconds"\?/,
  ],
];

/** What a JSON Schema cannot say: the schema accepts these, resolveConfig does not. */
export const TRUST_RESOLVE_ONLY: ReadonlySet<string> = new Set([
  "trusted issuer is this server",
  "trusted issuer template",
  "trusted issuer twice",
  "trusted jwksUri is our own",
  "trusted jwks with a broken key",
  "trusted jwks unusable with the algorithms",
  "trusted clients unknown",
  "trusted clients without the grant",
  "no client may redeem",
  "subject refuse without accounts",
  "two providers passing subjects through",
  "two providers with overlapping prefixes",
]);
