// `tokenward mint`: a signed token on standard output, alone, for local
// testing (TOKEN=$(tokenward mint ...)). From an issuer configuration, the
// token the token endpoint would issue; or, from a private key file, one with
// the claims given. Private keys and secrets are never printed.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { OAuthError } from "../errors/oauth-error.js";
import { KeyStoreError } from "../keys/errors.js";
import { mintAdHoc } from "./mint/mint-ad-hoc.js";
import { MintError } from "./mint/mint-error.js";
import { mintFromConfig } from "./mint/mint-from-config.js";
import { MINT_ALGORITHMS } from "./mint/read-private-key.js";
import type { CommandIo, IssuerCommand } from "./types.js";

const DEFAULT_TTL = 3600;

const USAGE = `Usage: tokenward mint --config FILE --client ID [--scope "A B"] [--audience AUD]
       tokenward mint --key FILE --issuer URL --audience AUD [--sub SUB] [--scope "A B"]
                      [--ttl SECONDS] [--claim NAME=JSON ...] [--typ TYP] [--kid KID] [--alg ALG]

Signs a token for local testing and prints it alone on standard output, so
that TOKEN=$(tokenward mint ...) works. Never prints a private key.

From an issuer configuration: exactly the access token the issuer's token
endpoint would issue to the client for a client_credentials request (its
profile, lifetime, claims and current signing key from keys.directory),
without HTTP or the client's secret. The key store is only read. A claims
function passed to createIssuer in code is not run.

  --config FILE       the issuer configuration (as for tokenward serve)
  --client ID         the client the token is issued to
  --scope "A B"       the scopes asked for (default: the client's defaultScopes)
  --audience AUD      the audience, i.e. RFC 8707 resource (default: the client's first)

From a private key file: a JWT with the claims given (iat now, a fresh jti).

  --key FILE          a private JWK, a JWK Set (one key, or pick it with --kid),
                      or PEM (PKCS#8, PKCS#1, SEC1)
  --issuer URL        iss
  --audience AUD      aud (repeat for an array)
  --sub SUB           sub
  --scope "A B"       scope
  --ttl SECONDS       exp = iat + SECONDS (default ${DEFAULT_TTL})
  --claim NAME=JSON   one more claim, its value as JSON (repeatable); applied
                      last, so it may replace any other (--claim exp=1 makes an
                      expired token); strings need JSON quotes: 'tenant="acme"'
  --typ TYP           the typ header (default at+jwt; "" leaves it out)
  --kid KID           the kid header (default: the JWK's kid)
  --alg ALG           ${MINT_ALGORITHMS.join(", ")}
                      (default: the JWK's alg, else by key: RS256, ES256/384/512, EdDSA)

Exit status: 0 printed, 1 failed, 2 usage or configuration error.
`;

const CONFIG_ONLY = ["client"] as const;
const KEY_ONLY = ["issuer", "sub", "ttl", "claim", "typ", "kid", "alg"] as const;

type Values = Record<string, string | string[] | boolean | undefined>;

function single(values: Values, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw new MintError(`--${name} may be given once`, { usage: true });
    return value[0];
  }
  return value as string;
}

function ttl(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TTL;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(value) || value <= 0) {
    throw new MintError(`--ttl takes a whole number of seconds, more than 0; got ${JSON.stringify(raw)} (for an expired token: --claim exp=1)`, {
      usage: true,
    });
  }
  return value;
}

async function readKeyFile(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MintError(code === "ENOENT" ? `no key file at ${resolve(cwd, file)}` : `cannot read ${resolve(cwd, file)} (${code ?? String(error)})`);
  }
}

async function mint(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string" },
      client: { type: "string" },
      key: { type: "string" },
      issuer: { type: "string" },
      audience: { type: "string", multiple: true },
      sub: { type: "string" },
      scope: { type: "string" },
      ttl: { type: "string" },
      claim: { type: "string", multiple: true },
      typ: { type: "string" },
      kid: { type: "string" },
      alg: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new MintError(`unexpected argument ${JSON.stringify(positionals[0])}; every input is an option`, { usage: true });
  const config = values.config;
  const keyFile = values.key;
  if ((config === undefined) === (keyFile === undefined)) {
    throw new MintError(config === undefined ? "give --config FILE (as the issuer would) or --key FILE (ad hoc)" : "give --config or --key, not both", {
      usage: true,
    });
  }
  const given = (names: readonly string[]) => names.filter((name) => (values as Values)[name] !== undefined);

  let token: string;
  if (config !== undefined) {
    const misplaced = given(KEY_ONLY);
    if (misplaced.length > 0) {
      throw new MintError(
        `--${misplaced[0]} applies to --key only: with --config the token is exactly what the issuer issues (its issuer, lifetime, claims and key)`,
        { usage: true },
      );
    }
    if (values.client === undefined) throw new MintError("--client ID is required with --config: the client the token is issued to", { usage: true });
    token = await mintFromConfig({
      config,
      cwd: io.cwd,
      clientId: values.client,
      scope: values.scope,
      audience: single(values, "audience"),
    });
  } else {
    const misplaced = given(CONFIG_ONLY);
    if (misplaced.length > 0) throw new MintError(`--${misplaced[0]} applies to --config only`, { usage: true });
    if (values.issuer === undefined) throw new MintError("--issuer URL is required with --key: the token's iss", { usage: true });
    const audiences = values.audience ?? [];
    if (audiences.length === 0) throw new MintError("--audience is required with --key: the token's aud", { usage: true });
    const minted = await mintAdHoc({
      keyText: await readKeyFile(keyFile as string, io.cwd),
      keyFile: keyFile as string,
      issuer: values.issuer,
      audiences,
      subject: values.sub,
      scope: values.scope,
      ttlSeconds: ttl(values.ttl),
      claims: values.claim ?? [],
      typ: values.typ ?? "at+jwt",
      kid: values.kid,
      alg: values.alg,
    });
    token = minted.token;
    // On standard error, so $(tokenward mint ...) still captures the token alone.
    if (minted.kid === undefined) {
      io.stderr("tokenward mint: note: the token has no kid (the key file names none); a verifier whose JWKS holds several keys refuses it, so pass --kid\n");
    }
  }
  io.stdout(`${token}\n`);
  return 0;
}

export const mintCommand: IssuerCommand = {
  summary: "sign a token for local testing, as the issuer would or with a key file",
  usage: USAGE,
  async run(argv, io) {
    try {
      return await mint(argv, io);
    } catch (error) {
      const parseError = error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
      if (parseError || (error instanceof MintError && error.usage)) {
        io.stderr(`tokenward mint: ${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
      if (error instanceof MintError) {
        io.stderr(`tokenward mint: ${error.message}\n`);
        return error.exit;
      }
      if (error instanceof OAuthError) {
        // What the token endpoint would answer (RFC 6749 §5.2), with the operator's detail.
        io.stderr(
          `tokenward mint: the token endpoint would refuse this: ${error.error}: ${error.message}${error.detail === undefined ? "" : ` (${error.detail})`}\n`,
        );
        return 2;
      }
      if (error instanceof KeyStoreError) {
        io.stderr(`tokenward mint: ${error.message}\n`);
        return error.code === "lock_timeout" || error.code === "lock_lost" || error.code === "io_error" ? 1 : 2;
      }
      // Not foreseen (jose, the runtime): say so without a stack. Their messages describe a key's kind, never its value.
      io.stderr(`tokenward mint: failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
      return 1;
    }
  },
};
