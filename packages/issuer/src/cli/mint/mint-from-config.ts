// `tokenward mint --config`: the access token the issuer's token endpoint
// would issue to a client for a client_credentials request (RFC 6749 §4.4),
// minted by the same grant code with the same configuration and the current
// signing key, without HTTP and without the client's secret. What differs:
// a claims function given to createIssuer in code is not run (a JSON
// configuration cannot hold one), and nothing is logged or counted.

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { closest } from "../../config/did-you-mean.js";
import { IssuerConfigError, resolveConfig } from "../../config/resolve.js";
import type { IssuerContext } from "../../context.js";
import { clientCredentialsGrant } from "../../grants/client-credentials.js";
import { createMemoryStore } from "../../store/memory.js";
import { jsonErrorPosition } from "../json-position.js";
import { MintError } from "./mint-error.js";
import { openReadOnlyKeys } from "./read-only-keys.js";

export interface MintFromConfigOptions {
  /** The configuration file, relative to cwd. */
  readonly config: string;
  readonly cwd: string;
  readonly clientId: string;
  /** The scope parameter, space separated; absent: the client's default scopes. */
  readonly scope: string | undefined;
  /** The audience (resource) parameter; absent: the client's first audience. */
  readonly audience: string | undefined;
  readonly now?: () => number;
}

async function readConfig(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MintError(code === "ENOENT" ? `no configuration file at ${file}` : `cannot read ${file} (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = jsonErrorPosition(text, error);
    throw new MintError(`${file} is not JSON${where === "" ? "" : ` (${where})`}; --config takes an issuer configuration file`);
  }
}

export async function mintFromConfig(options: MintFromConfigOptions): Promise<string> {
  const file = resolve(options.cwd, options.config);
  let config: ReturnType<typeof resolveConfig>;
  try {
    // The server's rule: relative paths (keys.directory) resolve against the file's folder.
    config = resolveConfig(await readConfig(file), { baseDir: dirname(file) });
  } catch (error) {
    if (!(error instanceof IssuerConfigError)) throw error;
    throw new MintError(`${file} is not a valid issuer configuration:\n${error.problems.map((problem) => `  ${problem.path}: ${problem.message}`).join("\n")}`);
  }
  const client = config.clients.get(options.clientId);
  if (client === undefined) {
    const known = [...config.clients.keys()];
    const guess = closest(options.clientId, known);
    throw new MintError(
      `${file} has no client ${JSON.stringify(options.clientId)}${guess === undefined ? "" : ` (did you mean ${JSON.stringify(guess)}?)`}; its clients: ${known.map((id) => JSON.stringify(id)).join(", ")}`,
    );
  }
  // RFC 6749 §5.2: the token endpoint answers unauthorized_client here, so mint refuses too.
  if (!client.grantTypes.has("client_credentials")) {
    throw new MintError(
      `client ${JSON.stringify(client.clientId)} may not use client_credentials (its grantTypes: ${[...client.grantTypes].join(", ")}), so the token endpoint would refuse it; mint issues client_credentials tokens only`,
    );
  }
  const now = options.now ?? Date.now;
  const keys = await openReadOnlyKeys(config.keys.directory, file, now());
  const store = createMemoryStore({ now });
  const ctx: IssuerContext = { config, store, keys, now, claimsHook: undefined, emit: () => {} };
  const params = new Map<string, string>();
  if (options.scope !== undefined) params.set("scope", options.scope);
  if (options.audience !== undefined) params.set("audience", options.audience);
  try {
    const response = await clientCredentialsGrant(ctx, params, client, "client_secret_basic");
    return response.body.access_token;
  } finally {
    await store.close();
  }
}
