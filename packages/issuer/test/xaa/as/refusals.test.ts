// Every refusal of the jwt-bearer grant, one test each, over real HTTP.
// Assertion defects are invalid_grant with one generic description (RFC 7523
// §3.1, issue 7); the request's own problems keep their codes (RFC 6749 §5.2,
// RFC 8707 §2).
import { randomBytes, randomUUID } from "node:crypto";
import { exportPKCS8, importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, OTHER_API, postForm, type RunningIssuer } from "../../helpers/issuer.js";
import {
  API,
  ASSERTION_NOT_VALID,
  ID_JAG_TYP,
  idJagClaims,
  JWT_BEARER,
  JWT_CLIENT_ID,
  mintIdJag,
  type OAuthErrorBody,
  redeem,
  SECRET_CLIENT,
  startAs,
  startIdp,
  type TestIdp,
} from "../../helpers/xaa-as.js";

let idp: TestIdp;
/** Trusted (idp subjects prefixed "idp|") with algorithms ["RS256"], clients [svc-jwt] only, and subjects prefixed "rsa|". */
let rsaIdp: TestIdp;
/** Never trusted. */
let stranger: TestIdp;
let as: RunningIssuer;
/** The operator details of refusals (onEvent), newest last. */
const details: string[] = [];

beforeAll(async () => {
  [idp, rsaIdp, stranger] = await Promise.all([startIdp(), startIdp({ alg: "RS256" }), startIdp()]);
  as = await startAs([idp, rsaIdp], {
    trust: [{ subject: { prefix: "idp|" } }, { algorithms: ["RS256"], clients: [JWT_CLIENT_ID], subject: { prefix: "rsa|" } }],
    configure: (config) => {
      config.onEvent = (event) => {
        if (event.type === "request_refused") details.push(event.detail ?? "");
      };
    },
  });
});
afterAll(async () => {
  await as?.close();
  await Promise.all([idp?.close(), rsaIdp?.close(), stranger?.close()]);
});

async function refused(response: Response, status: number, error: string): Promise<OAuthErrorBody> {
  const body = (await response.json()) as OAuthErrorBody;
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
  expect(response.headers.get("cache-control")).toBe("no-store");
  return body;
}

/**
 * invalid_grant, 400, and the one generic description: nothing about which
 * rule failed. The operator's log (onEvent detail) names the rule: `reason`.
 */
async function invalidGrant(response: Response, reason: RegExp): Promise<void> {
  const body = await refused(response, 400, "invalid_grant");
  expect(body).toEqual({ error: "invalid_grant", error_description: ASSERTION_NOT_VALID });
  expect(details.at(-1)).toMatch(reason);
}

const now = () => Math.floor(Date.now() / 1000);

describe("the request", () => {
  it("invalid_request without an assertion (RFC 7521 §4.1)", async () => {
    const response = await postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, client_id: SECRET_CLIENT.clientId, client_secret: SECRET_CLIENT.secret });
    await refused(response, 400, "invalid_request");
  });

  it("invalid_request with two assertions (RFC 6749 §3.2)", async () => {
    const one = await mintIdJag(idp, as.issuerId);
    const body = `grant_type=${encodeURIComponent(JWT_BEARER)}&assertion=${one}&assertion=${one}`;
    const response = await fetch(as.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
      body,
    });
    await refused(response, 400, "invalid_request");
  });
});

describe("the client", () => {
  it("invalid_client, 401 with WWW-Authenticate, for a wrong Basic secret", async () => {
    const response = await redeem(as, await mintIdJag(idp, as.issuerId), {}, { authorization: basic(SECRET_CLIENT.clientId, "wrong") });
    await refused(response, 401, "invalid_client");
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  });

  it("invalid_client without client authentication: confidential clients only (draft §8.1)", async () => {
    const response = await postForm(as.tokenEndpoint, {
      grant_type: JWT_BEARER,
      assertion: await mintIdJag(idp, as.issuerId),
      client_id: SECRET_CLIENT.clientId,
    });
    await refused(response, 401, "invalid_client");
  });

  it("unauthorized_client for a client without the jwt-bearer grant type", async () => {
    const other = await startAs([idp], {
      configure: (config) => {
        const jwtClient = config.clients.find((client) => client.clientId === JWT_CLIENT_ID);
        if (jwtClient !== undefined) jwtClient.grantTypes = ["client_credentials"];
      },
    });
    try {
      const { clientAssertion, ASSERTION_TYPE } = await import("../../helpers/issuer.js");
      const response = await postForm(other.tokenEndpoint, {
        grant_type: JWT_BEARER,
        assertion: await mintIdJag(idp, other.issuerId, {}, {}, JWT_CLIENT_ID),
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await clientAssertion(other.jwtClientKey, other.issuerId),
      });
      await refused(response, 400, "unauthorized_client");
    } finally {
      await other.close();
    }
  });

  it("unauthorized_client for a genuine ID-JAG of a provider this client may not use", async () => {
    await refused(await redeem(as, await mintIdJag(rsaIdp, as.issuerId)), 400, "unauthorized_client");
  });
});

describe("the assertion: invalid_grant with one generic description", () => {
  it("is not a JWT", async () => {
    await invalidGrant(await redeem(as, "not-a-jwt"), /not a JWT/);
  });

  it("has no typ header", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, {}, { typ: undefined })), /type_not_allowed.*no "typ"/);
  });

  it("has typ JWT (draft §3: typ MUST be oauth-id-jag+jwt)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, {}, { typ: "JWT" })), /type_not_allowed/);
  });

  it("has typ at+jwt (an access token of the provider)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, {}, { typ: "at+jwt" })), /type_not_allowed.*at\+jwt/);
  });

  it("is signed with HMAC (HS256)", async () => {
    const secret = randomBytes(32);
    const token = await new SignJWT(idJagClaims(idp, as.issuerId)).setProtectedHeader({ alg: "HS256", typ: ID_JAG_TYP }).sign(secret);
    await invalidGrant(await redeem(as, token), /algorithm_not_allowed.*HS256/);
  });

  it("is unsigned (alg none)", async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    await invalidGrant(
      await redeem(as, `${encode({ alg: "none", typ: ID_JAG_TYP })}.${encode(idJagClaims(idp, as.issuerId))}.`),
      /algorithm_not_allowed.*"none"/,
    );
  });

  it("uses an algorithm the provider is not configured for (PS256 where only RS256 is)", async () => {
    // The provider's own RSA key, used for RSASSA-PSS (WebCrypto binds a key to one scheme).
    const pss = await importPKCS8(await exportPKCS8(rsaIdp.privateKey), "PS256");
    const token = await new SignJWT(idJagClaims(rsaIdp, as.issuerId, {}, JWT_CLIENT_ID))
      .setProtectedHeader({ alg: "PS256", kid: rsaIdp.kid, typ: ID_JAG_TYP })
      .sign(pss);
    const { clientAssertion, ASSERTION_TYPE } = await import("../../helpers/issuer.js");
    const response = await postForm(as.tokenEndpoint, {
      grant_type: JWT_BEARER,
      assertion: token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await clientAssertion(as.jwtClientKey, as.issuerId),
    });
    await invalidGrant(response, /algorithm_not_allowed.*PS256/);
  });

  it("comes from an untrusted issuer, answered exactly as a bad signature of a trusted one", async () => {
    const untrusted = await redeem(as, await mintIdJag(stranger, as.issuerId));
    const untrustedBody = await untrusted.text();
    // The trusted provider's iss and kid, signed with another key.
    const forged = await stranger.sign(idJagClaims(idp, as.issuerId), { kid: idp.kid });
    const forgedResponse = await redeem(as, forged);
    expect({ status: forgedResponse.status, body: await forgedResponse.text() }).toEqual({ status: untrusted.status, body: untrustedBody });
    expect(JSON.parse(untrustedBody)).toEqual({ error: "invalid_grant", error_description: ASSERTION_NOT_VALID });
  });

  it("has a bad signature (its payload altered after signing)", async () => {
    const [header, , signature] = (await mintIdJag(idp, as.issuerId)).split(".");
    const payload = Buffer.from(JSON.stringify(idJagClaims(idp, as.issuerId, { scope: "admin" }))).toString("base64url");
    await invalidGrant(await redeem(as, `${header}.${payload}.${signature}`), /signature_invalid/);
  });

  it("has no iss", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { iss: undefined })), /no iss/);
  });

  it("is this server's own access token (typ at+jwt, iss this server)", async () => {
    const issued = await postForm(
      as.tokenEndpoint,
      { grant_type: "client_credentials" },
      { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) },
    );
    const { access_token: token } = (await issued.json()) as { access_token: string };
    await invalidGrant(await redeem(as, token), /issued by this server itself/);
  });

  it("is an ID-JAG this server signed itself (draft §8.3)", async () => {
    const token = await as.issuer.keys.sign({ typ: ID_JAG_TYP }, idJagClaims(idp, as.issuerId, { iss: as.issuerId }));
    await invalidGrant(await redeem(as, token), /issued by this server itself/);
  });

  it("is for another authorization server (aud)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { aud: "https://other-as.example.test" })), /audience_mismatch/);
  });

  it("names this server among two audiences (draft §4.4.1: exactly one)", async () => {
    await invalidGrant(
      await redeem(as, await mintIdJag(idp, as.issuerId, { aud: [as.issuerId, "https://other-as.example.test"] })),
      /aud must be this server's issuer/,
    );
  });

  it("names the token endpoint instead of the issuer identifier as aud", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { aud: as.tokenEndpoint })), /audience_mismatch/);
  });

  it("has expired (beyond the clock tolerance)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { iat: now() - 200, exp: now() - 60 })), /token_expired/);
  });

  it("was issued in the future (iat beyond the clock tolerance)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { iat: now() + 120, exp: now() + 300 })), /token_not_yet_valid.*issued/);
  });

  it("is not valid yet (nbf)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { nbf: now() + 120 })), /token_not_yet_valid/);
  });

  it("lives longer than idJag.maxLifetimeSeconds (exp - iat > 300)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { iat: now(), exp: now() + 301 })), /valid for 301 s.*idJag\.maxLifetimeSeconds/);
  });

  it.each([["sub"], ["client_id"], ["jti"], ["iat"], ["exp"]])("lacks %s (draft §3.1: REQUIRED)", async (claim) => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { [claim]: undefined })), new RegExp(`claim_missing.*"${claim}"`));
  });

  it.each<[string, unknown, RegExp]>([
    ["sub", 42, /claim_invalid.*"sub"/],
    ["sub", "", /sub must be a non-empty string/],
    ["jti", "", /jti must be a non-empty string/],
    ["client_id", ["svc-secret"], /client_id must be a non-empty string/],
    ["iat", "now", /claim_invalid.*"iat"/],
    ["scope", ["read:data"], /scope must be a space-separated string/],
    ["scope", 'read:data "quoted"', /scope is not a list of scope tokens/],
    ["resource", "relative/path", /resource must be an absolute URI/],
    ["resource", `${API}#fragment`, /resource must be an absolute URI/],
    ["resource", [], /resource must be an absolute URI/],
    ["resource", [API, 7], /resource must be an absolute URI/],
    ["tenant", 7, /tenant must be a string/],
    ["email", { address: "ada@example.com" }, /email must be a string/],
  ])("has a malformed %s: %j", async (claim, value, reason) => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { [claim]: value })), reason);
  });

  it("names another client in client_id than the authenticated one (draft §4.4.1)", async () => {
    await invalidGrant(
      await redeem(as, await mintIdJag(idp, as.issuerId, { client_id: JWT_CLIENT_ID })),
      /client_id "svc-jwt" is not the authenticated client/,
    );
  });

  it("carries cnf: proof of possession is not supported, so a bound grant is refused (draft §8.6.1)", async () => {
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } })), /cnf/);
  });

  it("carries authorization_details, which this server does not process (draft §4.4.1)", async () => {
    const authorizationDetails = [{ type: "chat_read", actions: ["read"] }];
    await invalidGrant(await redeem(as, await mintIdJag(idp, as.issuerId, { authorization_details: authorizationDetails })), /authorization_details/);
  });

  it("cannot be checked because the provider's keys cannot be fetched (answered as invalid, never 5xx)", async () => {
    const gone = await startIdp();
    const server = await startAs([gone], {
      configure: (config) => {
        config.onEvent = (event) => {
          if (event.type === "request_refused") details.push(event.detail ?? "");
        };
      },
    });
    try {
      const token = await mintIdJag(gone, server.issuerId);
      await gone.close();
      await invalidGrant(await redeem(server, token), /jwks_unavailable/);
    } finally {
      await server.close();
    }
  });
});

describe("the target and the scope", () => {
  it("invalid_target when the ID-JAG's resource is not one of the client's audiences", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { resource: "https://elsewhere.example.test" })), 400, "invalid_target");
  });

  it("invalid_target when the resource parameter is outside the ID-JAG's resources (never widened)", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { resource: API }), { resource: OTHER_API }), 400, "invalid_target");
  });

  it("invalid_target for a malformed resource parameter (RFC 8707 §2)", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId), { resource: "not a uri" }), 400, "invalid_target");
  });

  it("invalid_target when the ID-JAG grants several of the client's resources and the request names none", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { resource: [API, OTHER_API] })), 400, "invalid_target");
  });

  it("invalid_scope when no requested scope is among the ID-JAG's", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { scope: "read:data" }), { scope: "write:data" }), 400, "invalid_scope");
  });

  it("invalid_scope when the ID-JAG grants none of the client's scopes", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { scope: "chat.read chat.history" })), 400, "invalid_scope");
  });

  it("invalid_scope when scopes are requested and the ID-JAG grants none", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId, { scope: undefined }), { scope: "read:data" }), 400, "invalid_scope");
  });

  it("invalid_scope for a malformed scope parameter (RFC 6749 §3.3)", async () => {
    await refused(await redeem(as, await mintIdJag(idp, as.issuerId), { scope: 'read:data "x"' }), 400, "invalid_scope");
  });
});

it("never puts the assertion, its issuer or its subject in an answer", async () => {
  const token = await mintIdJag(idp, as.issuerId, { client_id: JWT_CLIENT_ID, jti: randomUUID() });
  const text = await (await redeem(as, token)).text();
  for (const secret of [token, idp.issuer, "U019488227", JWT_CLIENT_ID]) expect(text).not.toContain(secret);
});
