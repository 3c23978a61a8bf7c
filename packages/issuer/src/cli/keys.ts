// `tokenward keys generate|rotate|list`: the issuer's signing keys on disk.
// Works beside a running issuer: writes take the key directory's lock, and
// the issuer picks changes up on its next reload. Never prints key material.

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { SigningAlgorithm } from "../config/types.js";
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from "../keys/algorithms.js";
import { KeyStoreError } from "../keys/errors.js";
import { generateSigningKey } from "../keys/generate-key.js";
import { importSigningKey } from "../keys/import-key.js";
import { DEFAULT_KEY_DIRECTORY, type KeysetFile, keysetPath, readKeyset, updateKeyset } from "../keys/key-store.js";
import { KEYSET_VERSION } from "../keys/keyset.js";
import { describeKeys, type KeyInfo, type RotateOptions, rotateKeyset, type SchedulePolicy, signingKeyAt } from "../keys/schedule.js";
import type { CommandIo, IssuerCommand } from "./types.js";

const USAGE = `Usage: tokenward keys <generate | rotate | list> [--dir DIR | --config FILE] [options]

Manages the issuer's signing keys: DIR/keyset.json holds the private JWKs
(mode 0600, in a directory of mode 0700) and their rotation schedule.

  generate            create the key store with one signing key
                      (refuses when keys exist; --force replaces them all)
  rotate              add a new key: published at once, signing after the
                      publish lead, when caches of the JWKS have it
  list                every key, its state (next, signing, retiring, removed)
                      and its schedule

Options:
  --dir DIR           the key directory (default ${DEFAULT_KEY_DIRECTORY})
  --config FILE       take the directory, algorithm, publish lead and token
                      lifetime from an issuer configuration's keys and tokens
                      sections (keys.directory is relative to FILE's folder);
                      prefer it, so that the schedule matches the server's
  --algorithm ALG     the new key's algorithm: ${SIGNING_ALGORITHMS.join(", ")}
                      (default: the configuration's; rotate keeps the current one)
  --immediate         rotate: the new key signs at once (after a compromise);
                      the old key stays published until its tokens expire
  --revoke-previous   rotate: also remove the previous keys at once; tokens they
                      signed stop verifying (implies --immediate)
  --publish-lead N    rotate: seconds a new key is published before it signs
                      (default: keys.publishLeadSeconds, else 600)
  --token-lifetime N  rotate: the longest token lifetime in seconds, which
                      retired keys stay published for (default:
                      tokens.lifetimeSeconds, else 3600)
  --force             generate: replace existing keys; every token already
                      issued stops verifying
  --json              one JSON object on standard output
  -h, --help          this help

Running issuers pick up changes within their reload interval (30 s).
Exit status: 0 done, 1 failed, 2 usage or configuration error.
`;

const DEFAULT_ALGORITHM: SigningAlgorithm = "RS256";
const DEFAULT_JWKS_MAX_AGE = 300;
const DEFAULT_TOKEN_LIFETIME = 3600;

class UsageError extends Error {}

interface Settings {
  directory: string;
  algorithm: SigningAlgorithm | undefined;
  publishLeadSeconds: number;
  maxTokenLifetimeSeconds: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function seconds(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(value) || value < 0)
    throw new UsageError(`${name} takes a whole number of seconds, 0 or more; got ${JSON.stringify(raw)}`);
  return value;
}

function configNumber(file: string, section: Record<string, unknown> | undefined, path: string, name: string): number | undefined {
  const value = section?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new UsageError(`${file}: ${path}.${name} must be a number of seconds, 0 or more`);
  return value;
}

async function readConfig(file: string): Promise<{ keys: Record<string, unknown> | undefined; tokens: Record<string, unknown> | undefined }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `no configuration file at ${file}` : `cannot read ${file} (${code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON; --config takes an issuer configuration file`);
  }
  if (!isObject(json)) throw new UsageError(`${file} must hold a JSON object (an issuer configuration)`);
  const { keys, tokens } = json;
  if (keys !== undefined && !isObject(keys)) throw new UsageError(`${file}: "keys" must be an object`);
  if (tokens !== undefined && !isObject(tokens)) throw new UsageError(`${file}: "tokens" must be an object`);
  return { keys, tokens };
}

async function settingsFrom(values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<Settings> {
  const dir = values.dir as string | undefined;
  const config = values.config as string | undefined;
  const algorithm = values.algorithm as string | undefined;
  if (dir !== undefined && config !== undefined) throw new UsageError("give --dir or --config, not both");
  if (algorithm !== undefined && !isSigningAlgorithm(algorithm))
    throw new UsageError(`--algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}; got ${JSON.stringify(algorithm)}`);
  const lead = seconds("--publish-lead", values["publish-lead"] as string | undefined);
  const lifetime = seconds("--token-lifetime", values["token-lifetime"] as string | undefined);
  if (lifetime === 0) throw new UsageError("--token-lifetime must be more than 0 seconds");
  if (config === undefined) {
    return {
      directory: resolve(io.cwd, dir ?? DEFAULT_KEY_DIRECTORY),
      algorithm,
      publishLeadSeconds: lead ?? 2 * DEFAULT_JWKS_MAX_AGE,
      maxTokenLifetimeSeconds: lifetime ?? DEFAULT_TOKEN_LIFETIME,
    };
  }
  const file = resolve(io.cwd, config);
  const { keys, tokens } = await readConfig(file);
  const directory = keys?.directory ?? DEFAULT_KEY_DIRECTORY;
  if (typeof directory !== "string" || directory === "") throw new UsageError(`${file}: keys.directory must be a non-empty path`);
  const configured = keys?.algorithm;
  if (configured !== undefined && !isSigningAlgorithm(configured))
    throw new UsageError(`${file}: keys.algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
  const maxAge = configNumber(file, keys, "keys", "jwksMaxAgeSeconds") ?? DEFAULT_JWKS_MAX_AGE;
  return {
    // The same rule as the server: keys.directory is relative to the configuration file's folder.
    directory: resolve(dirname(file), directory),
    algorithm: algorithm ?? configured,
    publishLeadSeconds: lead ?? configNumber(file, keys, "keys", "publishLeadSeconds") ?? 2 * maxAge,
    maxTokenLifetimeSeconds: lifetime ?? configNumber(file, tokens, "tokens", "lifetimeSeconds") ?? DEFAULT_TOKEN_LIFETIME,
  };
}

function iso(time: number | undefined): string {
  return time === undefined ? "-" : new Date(time * 1000).toISOString().replace(/\.000Z$/, "Z");
}

function describe(file: KeysetFile, now: number): KeyInfo[] {
  return describeKeys(file.keyset.keys, now);
}

function table(keys: readonly KeyInfo[]): string {
  const rows = [
    ["KID", "ALG", "STATE", "CREATED", "ACTIVATES", "RETIRES", "REMOVED AT"],
    ...keys.map((key) => [key.kid, key.alg, key.state, iso(key.createdAt), iso(key.activatesAt), iso(key.retiresAt), iso(key.removeAt)]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

function jsonKey(key: KeyInfo): Record<string, unknown> {
  return { ...key, retiresAt: key.retiresAt ?? null, removeAt: key.removeAt ?? null };
}

/** Reads the store and checks every key the way the server does on start. */
async function loadChecked(directory: string): Promise<KeysetFile> {
  const file = await readKeyset(directory);
  if (file === undefined) {
    throw new KeyStoreError("store_missing", keysetPath(directory), `no keys in ${directory}; create them with \`tokenward keys generate --dir ${directory}\``);
  }
  await Promise.all(file.keyset.keys.map((key) => importSigningKey(key, file.file)));
  return file;
}

async function generate(settings: Settings, force: boolean, json: boolean, io: CommandIo): Promise<number> {
  const file = keysetPath(settings.directory);
  // A cheap refusal before generating (RSA keys take a moment); the locked write below checks again.
  if (!force && (await readKeyset(settings.directory).catch(() => undefined)) !== undefined) throw storeExists(file);
  const now = Math.floor(Date.now() / 1000);
  const fresh = await generateSigningKey(settings.algorithm ?? DEFAULT_ALGORITHM, now);
  const written = await updateKeyset(settings.directory, (current) => {
    if (current !== undefined && !force) throw storeExists(file);
    return { version: KEYSET_VERSION, keys: [fresh] };
  });
  const keys = describe(written, now);
  if (json) io.stdout(`${JSON.stringify({ directory: settings.directory, file, keys: keys.map(jsonKey) })}\n`);
  else io.stdout(`Created ${file}: ${fresh.alg} key ${fresh.kid}, signing from now (${iso(keys[0]?.activatesAt)}).\n`);
  return 0;
}

function storeExists(file: string): KeyStoreError {
  return new KeyStoreError(
    "store_exists",
    file,
    `${file} already holds keys; use \`tokenward keys rotate\` to add a key, or \`generate --force\` to replace them all (every token already issued then stops verifying)`,
  );
}

async function rotate(settings: Settings, options: RotateOptions, json: boolean, io: CommandIo): Promise<number> {
  const existing = await loadChecked(settings.directory);
  const now = Date.now() / 1000;
  const current = signingKeyAt(existing.keyset.keys, now);
  const fresh = await generateSigningKey(settings.algorithm ?? current?.alg ?? DEFAULT_ALGORITHM, Math.floor(now));
  const policy: SchedulePolicy = {
    publishLeadSeconds: settings.publishLeadSeconds,
    maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
    rotateAfterDays: 0,
  };
  const written = await updateKeyset(settings.directory, (keyset) => {
    if (keyset === undefined) throw new KeyStoreError("store_missing", existing.file, `${existing.file} disappeared; run \`tokenward keys generate\``);
    return rotateKeyset(keyset, fresh, Date.now() / 1000, policy, options);
  });
  const keys = describe(written, now);
  const added = keys.find((key) => key.kid === fresh.kid);
  if (json) {
    io.stdout(`${JSON.stringify({ directory: settings.directory, file: written.file, rotated: fresh.kid, keys: keys.map(jsonKey) })}\n`);
    return 0;
  }
  const lines = [`New ${fresh.alg} key ${fresh.kid}: published now, signing from ${iso(added?.activatesAt)}.`];
  if (options.revokePrevious === true) lines.push("The previous keys are removed: tokens they signed stop verifying once verifiers refetch the JWKS.");
  for (const key of keys) {
    if (key.kid !== fresh.kid) lines.push(`Key ${key.kid} signs until ${iso(key.retiresAt)} and stays published until ${iso(key.removeAt)}.`);
  }
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

async function list(settings: Settings, json: boolean, io: CommandIo): Promise<number> {
  const file = await loadChecked(settings.directory);
  const keys = describe(file, Date.now() / 1000);
  if (json) io.stdout(`${JSON.stringify({ directory: settings.directory, file: file.file, keys: keys.map(jsonKey) })}\n`);
  else io.stdout(table(keys));
  return 0;
}

const SUBCOMMANDS = ["generate", "rotate", "list"] as const;
// Errors the operator fixes in the configuration or the command line: exit 2. Others (locks, disks) are failures: exit 1.
const CONFIGURATION_ERRORS = new Set(["insecure_permissions", "corrupt_keyset", "invalid_key", "store_exists", "store_missing", "too_many_keys"]);

async function runKeys(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: "string" },
      config: { type: "string" },
      algorithm: { type: "string" },
      immediate: { type: "boolean" },
      "revoke-previous": { type: "boolean" },
      "publish-lead": { type: "string" },
      "token-lifetime": { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub === undefined) throw new UsageError(`name a subcommand: ${SUBCOMMANDS.join(", ")}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}; use one of ${SUBCOMMANDS.join(", ")}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const only = (flag: string, where: string) => {
    if (values[flag as keyof typeof values] !== undefined && sub !== where) throw new UsageError(`--${flag} applies to \`keys ${where}\` only`);
  };
  only("immediate", "rotate");
  only("revoke-previous", "rotate");
  only("publish-lead", "rotate");
  only("token-lifetime", "rotate");
  only("force", "generate");
  if (sub === "list" && values.algorithm !== undefined) throw new UsageError("--algorithm applies to generate and rotate");
  const settings = await settingsFrom(values, io);
  const json = values.json === true;
  if (sub === "generate") return generate(settings, values.force === true, json, io);
  if (sub === "rotate") return rotate(settings, { immediate: values.immediate === true, revokePrevious: values["revoke-previous"] === true }, json, io);
  return list(settings, json, io);
}

export const keysCommand: IssuerCommand = {
  summary: "generate, rotate and list the issuer's signing keys",
  usage: USAGE,
  async run(argv, io) {
    try {
      return await runKeys(argv, io);
    } catch (error) {
      const parseError = error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
      if (error instanceof UsageError || parseError) {
        io.stderr(`tokenward keys: ${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
      if (error instanceof KeyStoreError) {
        io.stderr(`tokenward keys: ${error.message}\n`);
        return CONFIGURATION_ERRORS.has(error.code) ? 2 : 1;
      }
      // Not a condition we foresaw (jose, the runtime): report it and fail.
      io.stderr(`tokenward keys: failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
      return 1;
    }
  },
};
