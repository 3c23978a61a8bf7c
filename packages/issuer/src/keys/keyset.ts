// keyset.json: the private keys and their schedule, exactly as the key store
// writes them. parseKeyset checks the shape strictly (a file we did not write
// is refused, not guessed at); import-key.ts checks the keys themselves.

import type { SigningAlgorithm } from "../config/types.js";
import { ALGORITHMS, isSigningAlgorithm, SIGNING_ALGORITHMS } from "./algorithms.js";
import { KeyStoreError } from "./errors.js";

export const KEYSET_FILE = "keyset.json";
export const KEYSET_VERSION = 1;
/** Bounded memory: a keyset holds a handful of keys; anything near this is not ours. */
export const MAX_KEYSET_BYTES = 1024 * 1024;
/** Pruning keeps a keyset at two or three keys; a rotation that would exceed this is refused. */
export const MAX_KEYS = 32;

/** Times are epoch seconds. See schedule.ts for what each one means. */
export interface StoredKey {
  /** RFC 7638 JWK thumbprint (SHA-256) of the key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt?: number | undefined;
  readonly removeAt?: number | undefined;
  readonly privateJwk: Readonly<Record<string, string>>;
}

export interface Keyset {
  readonly version: typeof KEYSET_VERSION;
  readonly keys: readonly StoredKey[];
}

const KEY_MEMBERS = new Set(["kid", "alg", "createdAt", "activatesAt", "retiresAt", "removeAt", "privateJwk"]);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// An RFC 7638 SHA-256 thumbprint is 32 bytes: 43 base64url characters.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** The error for a keyset.json that is not what tokenward writes; `detail` says what is wrong, never what the file holds. */
export function corruptKeyset(file: string, detail: string): KeyStoreError {
  return new KeyStoreError(
    "corrupt_keyset",
    file,
    `${file}: ${detail}. This is not a key file tokenward wrote; restore it from a backup, or move it away and run \`tokenward keys generate\` (tokens signed with the old keys then stop verifying)`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function time(file: string, where: string, value: unknown, optional: boolean): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw corruptKeyset(file, `${where} must be a time in epoch seconds (a whole number, 0 or more)`);
  return value;
}

function parseJwk(file: string, where: string, value: unknown, alg: SigningAlgorithm): Record<string, string> {
  if (!isObject(value)) throw corruptKeyset(file, `${where} must be a JSON object (a private JWK)`);
  const spec = ALGORITHMS[alg];
  const expected = new Set([...spec.publicMembers, ...spec.privateMembers]);
  for (const name of Object.keys(value)) {
    if (!expected.has(name)) throw corruptKeyset(file, `${where} has the member "${name}", which a ${alg} private key as tokenward writes it does not have`);
  }
  const jwk: Record<string, string> = {};
  for (const name of expected) {
    const member = value[name];
    if (typeof member !== "string" || member === "") {
      // A missing private member is the usual way a public key ends up here.
      const what = spec.privateMembers.includes(name) ? `is not a private key (the private member "${name}" is missing)` : `lacks the member "${name}"`;
      throw new KeyStoreError(
        "invalid_key",
        file,
        `${file}: ${where} ${what}; every key in this file must be a private ${alg} JWK as \`tokenward keys\` writes it`,
      );
    }
    jwk[name] = member;
  }
  if (jwk.kty !== spec.kty) throw new KeyStoreError("invalid_key", file, `${file}: ${where}.kty is "${jwk.kty}", but ${alg} needs a ${spec.kty} key`);
  if (spec.crv !== undefined && jwk.crv !== spec.crv)
    throw new KeyStoreError("invalid_key", file, `${file}: ${where}.crv is "${jwk.crv}", but ${alg} needs ${spec.crv}`);
  for (const name of expected) {
    if (name !== "kty" && name !== "crv" && !BASE64URL.test(jwk[name] ?? "")) throw corruptKeyset(file, `${where}.${name} is not base64url`);
  }
  return jwk;
}

function parseKey(file: string, index: number, value: unknown): StoredKey {
  const where = `keys[${index}]`;
  if (!isObject(value)) throw corruptKeyset(file, `${where} must be a JSON object`);
  for (const name of Object.keys(value)) if (!KEY_MEMBERS.has(name)) throw corruptKeyset(file, `${where} has an unknown member "${name}"`);
  const { kid, alg } = value;
  if (typeof kid !== "string" || !THUMBPRINT.test(kid))
    throw corruptKeyset(file, `${where}.kid must be an RFC 7638 SHA-256 thumbprint (43 base64url characters)`);
  if (!isSigningAlgorithm(alg)) throw corruptKeyset(file, `${where}.alg must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
  return {
    kid,
    alg,
    createdAt: time(file, `${where}.createdAt`, value.createdAt, false) ?? 0,
    activatesAt: time(file, `${where}.activatesAt`, value.activatesAt, false) ?? 0,
    retiresAt: time(file, `${where}.retiresAt`, value.retiresAt, true),
    removeAt: time(file, `${where}.removeAt`, value.removeAt, true),
    privateJwk: parseJwk(file, `${where}.privateJwk`, value.privateJwk, alg),
  };
}

/** Parses the text of keyset.json; `file` only names the file in errors. */
export function parseKeyset(text: string, file: string): Keyset {
  if (text.length > MAX_KEYSET_BYTES) throw corruptKeyset(file, `the file is larger than ${MAX_KEYSET_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message can quote the file's content, which holds private keys: never repeat it.
    throw corruptKeyset(file, "the file is not valid JSON");
  }
  if (!isObject(json)) throw corruptKeyset(file, "the file must hold a JSON object");
  for (const name of Object.keys(json)) if (name !== "version" && name !== "keys") throw corruptKeyset(file, `unknown top-level member "${name}"`);
  if (json.version !== KEYSET_VERSION) throw corruptKeyset(file, `"version" must be ${KEYSET_VERSION}`);
  if (!Array.isArray(json.keys) || json.keys.length === 0) throw corruptKeyset(file, `"keys" must be a non-empty array`);
  if (json.keys.length > MAX_KEYS) throw corruptKeyset(file, `"keys" holds ${json.keys.length} keys, more than the ${MAX_KEYS} tokenward keeps`);
  const keys = json.keys.map((key, index) => parseKey(file, index, key));
  const kids = new Set<string>();
  for (const key of keys) {
    if (kids.has(key.kid)) throw corruptKeyset(file, `the kid ${key.kid} appears twice`);
    kids.add(key.kid);
  }
  return { version: KEYSET_VERSION, keys };
}

/** The file's text: members in a fixed order, absent times left out. */
export function serializeKeyset(keyset: Keyset): string {
  const keys = keyset.keys.map((key) => ({
    kid: key.kid,
    alg: key.alg,
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    ...(key.retiresAt === undefined ? {} : { retiresAt: key.retiresAt }),
    ...(key.removeAt === undefined ? {} : { removeAt: key.removeAt }),
    privateJwk: key.privateJwk,
  }));
  return `${JSON.stringify({ version: KEYSET_VERSION, keys }, null, 2)}\n`;
}
