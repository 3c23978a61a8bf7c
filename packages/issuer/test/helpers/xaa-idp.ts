// A real issuer on 127.0.0.1 playing the identity provider role: two
// relying parties (wiki-app, other-app), two users, an ID-JAG policy, and
// helpers that drive the sign-in with plain fetch the way a browser would
// (GET the form, POST it, follow the redirect by hand) and the token
// exchange. Built on helpers/issuer.ts (startIssuer).
import { createHash, randomBytes } from "node:crypto";
import type { CreateIssuerOptions } from "../../src/index.js";
import { hashSecret } from "../../src/secrets/hash.js";
import { basic, postForm, type RunningIssuer, SECRET_CLIENT, type StartOptions, secretHash, startIssuer } from "./issuer.js";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_JAG_TYPE = "urn:ietf:params:oauth:token-type:id-jag";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

/** Every test client shares the helper's secret (helpers/issuer.ts), hashed once per file. */
export const CLIENT_SECRET = SECRET_CLIENT.secret;
export const WIKI = { clientId: "wiki-app", redirectUri: "http://127.0.0.1:7777/callback?from=idp" };
export const OTHER = { clientId: "other-app", redirectUri: "https://other.example.test/cb" };
/** A relying party that may sign users in but not exchange ID tokens. */
export const SIGN_IN_ONLY = { clientId: "sign-in-only", redirectUri: "https://sso.example.test/cb" };

export const ALICE = { username: "alice", password: "correct horse battery staple", sub: "u-1001", email: "alice@example.test", name: "Alice Example" };
export const BOB = { username: "bob@example.test", password: "hunter2-but-longer", sub: "u-1002" };

/** The resource authorization server the ID-JAGs are for, and what wiki-app may get there. */
export const TARGET_AS = "https://as.example.test";
export const OTHER_AS = "https://other-as.example.test/";
export const CHAT_API = "https://api.chat.example.test/";
export const FILES_API = "https://api.files.example.test/files";
export const WIKI_AT_TARGET = "wiki-at-as";

let userHashes: Promise<[string, string]> | undefined;
function passwordHashes(): Promise<[string, string]> {
  userHashes ??= Promise.all([hashSecret(ALICE.password), hashSecret(BOB.password)]);
  return userHashes;
}

export interface IdpOptions extends StartOptions {
  /** The clock (ms) the issuer reads; tests move it to expire codes and tokens. */
  clock?: { now: number };
}

/** Starts an issuer whose configuration enables the identity provider role. */
export async function startIdp(options: IdpOptions = {}): Promise<RunningIssuer> {
  const [hash, [aliceHash, bobHash]] = await Promise.all([secretHash(), passwordHashes()]);
  const { clock } = options;
  return startIssuer({
    ...options,
    configure(config: CreateIssuerOptions) {
      const client = (clientId: string, grantTypes: string[]) => ({
        clientId,
        secretHash: hash,
        grantTypes,
        audiences: ["https://api.example.test"],
        scopes: [],
      });
      config.clients.push(
        client(WIKI.clientId, ["authorization_code", TOKEN_EXCHANGE]),
        client(OTHER.clientId, ["authorization_code", TOKEN_EXCHANGE]),
        client(SIGN_IN_ONLY.clientId, ["authorization_code"]),
      );
      config.identityProvider = {
        users: [
          { username: ALICE.username, passwordHash: aliceHash, sub: ALICE.sub, email: ALICE.email, name: ALICE.name },
          { username: BOB.username, passwordHash: bobHash, sub: BOB.sub },
        ],
        relyingParties: [
          { client: WIKI.clientId, redirectUris: [WIKI.redirectUri, "com.example.wiki:/callback"] },
          { client: OTHER.clientId, redirectUris: [OTHER.redirectUri] },
          { client: SIGN_IN_ONLY.clientId, redirectUris: [SIGN_IN_ONLY.redirectUri] },
        ],
        idJag: [
          {
            client: WIKI.clientId,
            audience: TARGET_AS,
            clientIdAtAudience: WIKI_AT_TARGET,
            resources: [CHAT_API, FILES_API],
            scopes: ["chat.read", "chat.history", "files.read"],
          },
          { client: WIKI.clientId, audience: OTHER_AS, clientIdAtAudience: "wiki-at-other" },
          { client: OTHER.clientId, audience: TARGET_AS, clientIdAtAudience: "other-at-as", scopes: ["chat.read"] },
        ],
      };
      if (clock !== undefined) config.now = () => clock.now;
      options.configure?.(config);
    },
  });
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** RFC 7636 §4.1, §4.2: a 43-character verifier and its S256 challenge. */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeParams {
  client_id?: string;
  redirect_uri?: string;
  [name: string]: string | undefined;
}

/** The authorization request of a relying party, as a URL at the authorization endpoint. */
export function authorizeUrl(running: RunningIssuer, params: AuthorizeParams): string {
  const url = new URL(`${running.issuerId}/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** The hidden fields of the sign-in form, as a browser would submit them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescapeHtml(match[1] ?? "")] = unescapeHtml(match[2] ?? "");
  }
  return fields;
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export interface SignInResult {
  /** The 303's Location. */
  location: URL;
  code: string;
  state: string | null;
}

export interface SignInOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
  nonce?: string;
  pkce?: Pkce;
  username?: string;
  password?: string;
}

/** GET the form, POST the credentials with the form's hidden fields, and read the redirect: what a browser does. */
export async function signIn(running: RunningIssuer, options: SignInOptions = {}): Promise<SignInResult & { pkce: Pkce }> {
  const challenge = options.pkce ?? pkce();
  const url = authorizeUrl(running, {
    response_type: "code",
    client_id: options.clientId ?? WIKI.clientId,
    redirect_uri: options.redirectUri ?? WIKI.redirectUri,
    scope: options.scope ?? "openid email profile",
    state: options.state ?? randomBytes(8).toString("hex"),
    nonce: options.nonce,
    code_challenge: challenge.challenge,
    code_challenge_method: "S256",
  });
  const form = await fetch(url);
  if (form.status !== 200) throw new Error(`the sign-in form answered ${form.status}: ${await form.text()}`);
  const fields = formFields(await form.text());
  const posted = await fetch(url.split("?")[0] as string, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...fields, username: options.username ?? ALICE.username, password: options.password ?? ALICE.password }).toString(),
  });
  if (posted.status !== 303) throw new Error(`the sign-in answered ${posted.status}: ${await posted.text()}`);
  const location = new URL(posted.headers.get("location") ?? "");
  const code = location.searchParams.get("code");
  if (code === null) throw new Error(`the redirect carries no code: ${location.href}`);
  return { location, code, state: location.searchParams.get("state"), pkce: challenge };
}

/** The token request of RFC 6749 §4.1.3 with client_secret_basic. */
export async function redeemCode(
  running: RunningIssuer,
  code: string,
  verifier: string,
  options: { clientId?: string; redirectUri?: string } = {},
): Promise<Response> {
  return postForm(
    running.tokenEndpoint,
    { grant_type: "authorization_code", code, redirect_uri: options.redirectUri ?? WIKI.redirectUri, code_verifier: verifier },
    { authorization: basic(options.clientId ?? WIKI.clientId, CLIENT_SECRET) },
  );
}

/** Signs alice (or another user) in to a relying party and returns the ID token. */
export async function idTokenFor(running: RunningIssuer, options: SignInOptions = {}): Promise<string> {
  const clientId = options.clientId ?? WIKI.clientId;
  const redirectUri =
    options.redirectUri ?? (clientId === OTHER.clientId ? OTHER.redirectUri : clientId === SIGN_IN_ONLY.clientId ? SIGN_IN_ONLY.redirectUri : WIKI.redirectUri);
  const signedIn = await signIn(running, { ...options, clientId, redirectUri });
  const response = await redeemCode(running, signedIn.code, signedIn.pkce.verifier, { clientId, redirectUri });
  const body = (await response.json()) as { id_token?: string };
  if (response.status !== 200 || body.id_token === undefined) throw new Error(`the code was not redeemed: ${JSON.stringify(body)}`);
  return body.id_token;
}

/** A token exchange request (draft §4.3) from wiki-app with client_secret_post unless told otherwise. */
export async function exchange(
  running: RunningIssuer,
  params: Record<string, string | undefined>,
  options: { clientId?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body: Record<string, string> = {};
  const all = {
    grant_type: TOKEN_EXCHANGE,
    requested_token_type: ID_JAG_TYPE,
    subject_token_type: ID_TOKEN_TYPE,
    audience: TARGET_AS,
    client_id: options.headers?.authorization === undefined ? (options.clientId ?? WIKI.clientId) : undefined,
    client_secret: options.headers?.authorization === undefined ? CLIENT_SECRET : undefined,
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) body[name] = value;
  return postForm(running.tokenEndpoint, body, options.headers ?? {});
}
