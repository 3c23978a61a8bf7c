// Cross App Access end to end, three real servers on 127.0.0.1:
// - the identity provider: a tokenward issuer with the identityProvider role
//   (alice signs in to wiki-app, which exchanges her ID token for an ID-JAG);
// - the resource authorization server: a second tokenward issuer trusting the
//   first (found by discovery), where wiki-app is "wiki-at-as" and redeems the
//   ID-JAG with the jwt-bearer grant; optionally trusting more providers;
// - the notes API: Hono on @hono/node-server protected by tokenward/hono.
// Every client authenticates with a secret (Basic or body) or private_key_jwt.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createVerifier } from "tokenward";
import { type AuthEnv, authenticate, requireScopes } from "tokenward/hono";
import type { SubjectMappingConfig, TrustedIdentityProviderConfig } from "../../src/config/types.js";
import { createIssuer, type Issuer, type RunningServer } from "../../src/index.js";
import { hashSecret } from "../../src/secrets/hash.js";
import { basic, type ClientKey, clientKey, postForm, SECRET_CLIENT, secretHash } from "./issuer.js";
import { freePort } from "./process.js";
import { formFields, ID_JAG_TYPE, ID_TOKEN_TYPE, type Pkce, pkce, TOKEN_EXCHANGE } from "./xaa-idp.js";

export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export { ID_JAG_TYPE, ID_TOKEN_TYPE, TOKEN_EXCHANGE };

/** Both clients use the helpers' secret: ':', '%' and '+' tell raw Basic from RFC 6749 Appendix B's form-encoded one. */
export const CLIENT_SECRET = SECRET_CLIENT.secret;
/** wiki-app at the identity provider. */
export const WIKI = { clientId: "wiki-app", redirectUri: "http://127.0.0.1:7777/callback" };
/** wiki-app at the resource authorization server: the ID-JAG's client_id. */
export const WIKI_AT_AS = "wiki-at-as";
export const ALICE = { username: "alice", password: "correct horse battery staple", sub: "u-1001", email: "alice@example.test", name: "Alice Example" };
export const NOTES_SCOPES = ["notes.read", "notes.write"] as const;

export interface Xaa {
  idp: Issuer;
  as: Issuer;
  /** Issuer identifiers (http://127.0.0.1:<port>). */
  idpIssuer: string;
  asIssuer: string;
  /** The notes API's origin: its resource indicator and the access token's aud. */
  api: string;
  /** wiki-app's private_key_jwt keys at each server. */
  idpClientKey: ClientKey;
  asClientKey: ClientKey;
  close(): Promise<void>;
}

export interface XaaOptions {
  /** More identity providers the authorization server trusts (the tokenward one is always first). */
  trust?: TrustedIdentityProviderConfig[];
  /** Subject mapping of the tokenward identity provider's users at the authorization server. */
  idpSubject?: SubjectMappingConfig;
}

let aliceHash: Promise<string> | undefined;

async function listening(issuer: Issuer, port: number): Promise<RunningServer> {
  return issuer.listen({ port, hostname: "127.0.0.1" });
}

/** Starts the identity provider, the authorization server and the notes API on free loopback ports. */
export async function startXaa(options: XaaOptions = {}): Promise<Xaa> {
  const [idpPort, asPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const idpIssuer = `http://127.0.0.1:${idpPort}`;
  const asIssuer = `http://127.0.0.1:${asPort}`;
  const api = `http://127.0.0.1:${apiPort}`;
  aliceHash ??= hashSecret(ALICE.password);
  const [hash, passwordHash, idpClientKey, asClientKey] = await Promise.all([secretHash(), aliceHash, clientKey("ES256"), clientKey("RS256")]);
  const keyDir = await mkdtemp(join(tmpdir(), "tokenward-xaa-e2e-"));

  const idp = await createIssuer({
    issuer: idpIssuer,
    keys: { directory: join(keyDir, "idp"), algorithm: "ES256" },
    clients: [
      {
        clientId: WIKI.clientId,
        secretHash: hash,
        jwks: { keys: [idpClientKey.jwk as Record<string, unknown>] },
        authMethods: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        grantTypes: ["authorization_code", TOKEN_EXCHANGE],
        audiences: [idpIssuer],
        scopes: [],
      },
    ],
    identityProvider: {
      users: [{ username: ALICE.username, passwordHash, sub: ALICE.sub, email: ALICE.email, name: ALICE.name }],
      relyingParties: [{ client: WIKI.clientId, redirectUris: [WIKI.redirectUri] }],
      idJag: [{ client: WIKI.clientId, audience: asIssuer, clientIdAtAudience: WIKI_AT_AS, resources: [api], scopes: [...NOTES_SCOPES] }],
    },
  });
  const as = await createIssuer({
    issuer: asIssuer,
    keys: { directory: join(keyDir, "as"), algorithm: "RS256" },
    clients: [
      {
        clientId: WIKI_AT_AS,
        secretHash: hash,
        jwks: { keys: [asClientKey.jwk as Record<string, unknown>] },
        authMethods: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        grantTypes: [JWT_BEARER],
        audiences: [api],
        scopes: [...NOTES_SCOPES],
      },
    ],
    // No jwksUri: the authorization server finds the identity provider's keys by discovery.
    trustedIdentityProviders: [{ issuer: idpIssuer, ...(options.idpSubject === undefined ? {} : { subject: options.idpSubject }) }, ...(options.trust ?? [])],
  });
  const servers = [await listening(idp, idpPort), await listening(as, asPort)];

  // The API trusts the identity provider's issuer as well (it would take that
  // provider's own access tokens): the worst case for cross-use, where only
  // the typ header tells an ID token or an ID-JAG from an access token.
  const verifier = createVerifier({
    issuers: [
      { issuer: asIssuer, audience: api, types: ["at+jwt"] },
      { issuer: idpIssuer, audience: api, types: ["at+jwt"] },
    ],
  });
  const app = new Hono<AuthEnv>();
  app.use("/api/*", authenticate({ verifier }));
  app.get("/api/notes", requireScopes("notes.read"), (c) => {
    const auth = c.get("auth");
    return c.json({ notes: ["buy milk"], sub: auth?.subject, client_id: auth?.claims.client_id, scopes: auth?.scopes });
  });
  const apiServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, port: apiPort, hostname: "127.0.0.1" }, () => resolve(server));
  });

  return {
    idp,
    as,
    idpIssuer,
    asIssuer,
    api,
    idpClientKey,
    asClientKey,
    async close() {
      await new Promise<void>((resolve) => apiServer.close(() => resolve()));
      for (const server of servers) await server.close();
      await idp.close();
      await as.close();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

/** GET the sign-in form, POST alice's credentials with its hidden fields, read the 303: what a browser does. Returns the code. */
export async function signInCode(xaa: Xaa, challenge: Pkce, extra: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${xaa.idpIssuer}/oauth/authorize`);
  const query = {
    response_type: "code",
    client_id: WIKI.clientId,
    redirect_uri: WIKI.redirectUri,
    scope: "openid email profile",
    state: "s-1",
    code_challenge: challenge.challenge,
    code_challenge_method: "S256",
    ...extra,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return submitSignIn(url.href);
}

/** Signs alice in at an authorization URL the client built (any client library); returns the code from the redirect. */
export async function submitSignIn(authorizationUrl: string): Promise<string> {
  const location = await signInRedirect(authorizationUrl);
  const code = location.searchParams.get("code");
  if (code === null) throw new Error(`the redirect carries no code: ${location.href}`);
  return code;
}

/** The redirect (303 Location) after alice signs in at `authorizationUrl`. */
export async function signInRedirect(authorizationUrl: string): Promise<URL> {
  const form = await fetch(authorizationUrl);
  if (form.status !== 200) throw new Error(`the sign-in form answered ${form.status}: ${await form.text()}`);
  const fields = formFields(await form.text());
  const posted = await fetch(authorizationUrl.split("?")[0] as string, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...fields, username: ALICE.username, password: ALICE.password }).toString(),
  });
  if (posted.status !== 303) throw new Error(`the sign-in answered ${posted.status}: ${await posted.text()}`);
  return new URL(posted.headers.get("location") ?? "");
}

/** Alice's ID token for wiki-app: sign-in with PKCE, then the code at the token endpoint (client_secret_basic). */
export async function aliceIdToken(xaa: Xaa): Promise<string> {
  return (await aliceSignIn(xaa)).idToken;
}

/** What the code redemption answers: the ID token, and an access token for the identity provider itself (RFC 6749 §5.1). */
export async function aliceSignIn(xaa: Xaa): Promise<{ idToken: string; accessToken: string }> {
  const challenge = pkce();
  const code = await signInCode(xaa, challenge);
  const response = await postForm(
    xaa.idp.config.endpoints.token,
    { grant_type: "authorization_code", code, redirect_uri: WIKI.redirectUri, code_verifier: challenge.verifier },
    { authorization: basic(WIKI.clientId, CLIENT_SECRET) },
  );
  const body = (await response.json()) as { id_token?: string; access_token?: string };
  if (response.status !== 200 || body.id_token === undefined || body.access_token === undefined) {
    throw new Error(`the code was not redeemed (${response.status}): ${JSON.stringify(body)}`);
  }
  return { idToken: body.id_token, accessToken: body.access_token };
}

/** Token exchange at the identity provider (client_secret_post): the ID-JAG for the authorization server. */
export async function idJagFor(xaa: Xaa, idToken: string, extra: Record<string, string> = {}): Promise<string> {
  const response = await postForm(xaa.idp.config.endpoints.token, {
    grant_type: TOKEN_EXCHANGE,
    requested_token_type: ID_JAG_TYPE,
    subject_token: idToken,
    subject_token_type: ID_TOKEN_TYPE,
    audience: xaa.asIssuer,
    client_id: WIKI.clientId,
    client_secret: CLIENT_SECRET,
    ...extra,
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || body.access_token === undefined) throw new Error(`the token exchange failed (${response.status}): ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The jwt-bearer grant at the authorization server with client_secret_basic (form-encoded, RFC 6749 Appendix B). */
export function redeemAtAs(xaa: Xaa, assertion: string, extra: Record<string, string> = {}): Promise<Response> {
  return postForm(xaa.as.config.endpoints.token, { grant_type: JWT_BEARER, assertion, ...extra }, { authorization: basic(WIKI_AT_AS, CLIENT_SECRET) });
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
}

/** GET {api}/api/notes with the bearer token. */
export async function callApi(xaa: Xaa, token: string): Promise<ApiAnswer> {
  const response = await fetch(`${xaa.api}/api/notes`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get("www-authenticate") };
}
