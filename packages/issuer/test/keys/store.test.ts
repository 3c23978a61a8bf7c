// The on-disk key store: created private, refused when not private, refused
// when it is not what tokenward wrote, never half-written.
import { generateKeyPairSync } from "node:crypto";
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/keys/atomic-write.js";
import { KeyStoreError } from "../../src/keys/errors.js";
import { generateSigningKey } from "../../src/keys/generate-key.js";
import { readKeyset } from "../../src/keys/key-store.js";
import { type Keyset, MAX_KEYSET_BYTES, serializeKeyset } from "../../src/keys/keyset.js";
import { manager, tempDir } from "./fixtures.js";

async function refusal(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

/** A key directory holding `text` as keyset.json, both private. */
async function storeWith(text: string): Promise<string> {
  const directory = join(await tempDir(), "keys");
  await mkdir(directory, { mode: 0o700 });
  await writeFile(join(directory, "keyset.json"), text, { mode: 0o600 });
  return directory;
}

async function validKeyset(alg: "RS256" | "ES256" | "EdDSA" = "ES256"): Promise<Keyset> {
  return { version: 1, keys: [await generateSigningKey(alg, 1_700_000_000)] };
}

describe("first start", () => {
  it("creates the directory 0700 and keyset.json 0600 with one key, even under umask 0", async () => {
    const directory = join(await tempDir(), "nested", "keys");
    const previous = process.umask(0);
    try {
      await manager(directory);
    } finally {
      process.umask(previous);
    }
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect((await stat(join(directory, "keyset.json"))).mode & 0o777).toBe(0o600);
    const keyset = JSON.parse(await readFile(join(directory, "keyset.json"), "utf8")) as Keyset;
    expect(keyset.version).toBe(1);
    expect(keyset.keys).toHaveLength(1);
    const [key] = keyset.keys;
    expect(key?.alg).toBe("ES256");
    expect(key?.activatesAt).toBe(key?.createdAt);
    expect(key?.kid).toBe(await calculateJwkThumbprint(key?.privateJwk ?? {}, "sha256"));
    // Private keys must not be committed by accident when the directory sits in a repository.
    expect(await readFile(join(directory, ".gitignore"), "utf8")).toMatch(/^\*$/m);
    // No temporary file and no lock left behind.
    expect((await readdir(directory)).sort()).toEqual([".gitignore", "keyset.json"]);
  });

  it("loads the existing keys on a second start instead of creating new ones", async () => {
    const directory = join(await tempDir(), "keys");
    const first = await manager(directory);
    const second = await manager(directory);
    expect(second.jwks()).toEqual(first.jwks());
  });

  it("resolves a relative directory against baseDir", async () => {
    const base = await tempDir();
    const created = await manager(".tokenward/keys", { baseDir: base });
    expect(created.directory).toBe(join(base, ".tokenward", "keys"));
    expect((await stat(join(base, ".tokenward", "keys", "keyset.json"))).isFile()).toBe(true);
  });

  it("refuses bad options with the option's name", async () => {
    const directory = join(await tempDir(), "keys");
    await expect(manager(directory, { algorithm: "HS256" as "ES256" })).rejects.toThrow(/algorithm must be one of RS256, ES256, EdDSA/);
    await expect(manager(directory, { publishLeadSeconds: -1 })).rejects.toThrow(/publishLeadSeconds/);
    await expect(manager(directory, { maxTokenLifetimeSeconds: Number.NaN })).rejects.toThrow(/maxTokenLifetimeSeconds/);
  });
});

describe("permissions", () => {
  for (const mode of [0o755, 0o750, 0o701, 0o702]) {
    it(`refuses a key directory of mode ${mode.toString(8)} with the chmod to run`, async () => {
      const directory = join(await tempDir(), "keys");
      await mkdir(directory);
      await chmod(directory, mode);
      const error = await refusal(manager(directory));
      expect(error.code).toBe("insecure_permissions");
      expect(error.message).toContain(`chmod 700 ${directory}`);
    });
  }

  for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
    it(`refuses keyset.json of mode ${mode.toString(8)} with the chmod to run`, async () => {
      const directory = await storeWith(serializeKeyset(await validKeyset()));
      const file = join(directory, "keyset.json");
      await chmod(file, mode);
      const error = await refusal(manager(directory));
      expect(error.code).toBe("insecure_permissions");
      expect(error.path).toBe(file);
      expect(error.message).toContain(`chmod 600 ${file}`);
    });
  }

  it("refuses keyset.json that is a symbolic link", async () => {
    const root = await tempDir();
    const directory = join(root, "keys");
    await mkdir(directory, { mode: 0o700 });
    const elsewhere = join(root, "elsewhere.json");
    await writeFile(elsewhere, serializeKeyset(await validKeyset()), { mode: 0o600 });
    await symlink(elsewhere, join(directory, "keyset.json"));
    const error = await refusal(manager(directory));
    expect(error.code).toBe("insecure_permissions");
    expect(error.message).toMatch(/symbolic link/);
  });
});

describe("contents", () => {
  const corrupt: Array<[string, (keyset: Keyset) => unknown]> = [
    ["version 2", (keyset) => ({ ...keyset, version: 2 })],
    ["no keys", () => ({ version: 1, keys: [] })],
    ["an unknown top-level member", (keyset) => ({ ...keyset, extra: true })],
    ["an unknown key member", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, note: "x" })) })],
    ["a kid that is not a thumbprint", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, kid: "key-1" })) })],
    ["an unknown alg", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, alg: "HS256" })) })],
    ["a fractional time", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, activatesAt: 1.5 })) })],
    ["a negative time", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, removeAt: -1 })) })],
    ["a duplicate kid", (keyset) => ({ version: 1, keys: [...keyset.keys, ...keyset.keys] })],
    ["a JWK with an extra member", (keyset) => ({ version: 1, keys: keyset.keys.map((key) => ({ ...key, privateJwk: { ...key.privateJwk, use: "sig" } })) })],
  ];
  for (const [name, change] of corrupt) {
    it(`refuses a keyset with ${name}`, async () => {
      const directory = await storeWith(JSON.stringify(change(await validKeyset())));
      const error = await refusal(manager(directory));
      expect(error.code).toBe("corrupt_keyset");
      expect(error.message).toContain(join(directory, "keyset.json"));
      expect(error.message).toContain("tokenward keys generate");
    });
  }

  it("refuses text that is not JSON, or JSON cut short, without quoting it", async () => {
    const keyset = serializeKeyset(await validKeyset());
    const d = (await validKeyset()).keys[0]?.privateJwk.d ?? "";
    for (const text of ["not json", keyset.slice(0, keyset.length / 2), `{"version":1,"keys":[{"d":"${d}"`]) {
      const error = await refusal(manager(await storeWith(text)));
      expect(error.code).toBe("corrupt_keyset");
      expect(error.message).toMatch(/not valid JSON/);
      expect(error.message).not.toContain(d);
    }
  });

  it("refuses a file over the size limit before parsing it", async () => {
    const error = await refusal(manager(await storeWith(" ".repeat(MAX_KEYSET_BYTES + 1))));
    expect(error.code).toBe("corrupt_keyset");
    expect(error.message).toMatch(/larger than/);
  });

  it("refuses a public key where a private key belongs, without printing key material", async () => {
    const keyset = await validKeyset("EdDSA");
    const key = keyset.keys[0];
    if (key === undefined) throw new Error("no key");
    const { d, ...publicOnly } = key.privateJwk;
    const error = await refusal(manager(await storeWith(JSON.stringify({ version: 1, keys: [{ ...key, privateJwk: publicOnly }] }))));
    expect(error.code).toBe("invalid_key");
    expect(error.message).toMatch(/not a private key/);
    expect(error.message).not.toContain(key.privateJwk.x);
    expect(d).toBeTruthy();
  });

  it("refuses a key of another type than its alg declares", async () => {
    const ed = (await validKeyset("EdDSA")).keys[0];
    if (ed === undefined) throw new Error("no key");
    const error = await refusal(manager(await storeWith(JSON.stringify({ version: 1, keys: [{ ...ed, alg: "ES256" }] }))));
    expect(error.code).toBe("invalid_key");
    expect(error.message).toMatch(/ES256/);
  });

  it("refuses a key whose kid is another key's thumbprint", async () => {
    const [a, b] = [(await validKeyset()).keys[0], (await validKeyset()).keys[0]];
    if (a === undefined || b === undefined) throw new Error("no key");
    const error = await refusal(manager(await storeWith(serializeKeyset({ version: 1, keys: [{ ...a, kid: b.kid }] }))));
    expect(error.code).toBe("invalid_key");
    expect(error.message).toMatch(/does not match its kid/);
  });

  it("refuses a private half that does not belong to the public half", async () => {
    const [a, b] = [(await validKeyset()).keys[0], (await validKeyset()).keys[0]];
    if (a === undefined || b === undefined) throw new Error("no key");
    const mixed = { ...a, privateJwk: { ...a.privateJwk, d: b.privateJwk.d ?? "" } };
    const error = await refusal(manager(await storeWith(serializeKeyset({ version: 1, keys: [mixed] }))));
    expect(error.code).toBe("invalid_key");
    expect(error.message).not.toContain(b.privateJwk.d);
  });

  it("refuses an RSA key shorter than 2048 bits", async () => {
    // jose refuses to make such a key; node:crypto still can.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const { kty, n, e, d, p, q, dp, dq, qi } = privateKey.export({ format: "jwk" });
    const privateJwk = { kty, n, e, d, p, q, dp, dq, qi } as Record<string, string>;
    const kid = await calculateJwkThumbprint(privateJwk, "sha256");
    const text = serializeKeyset({ version: 1, keys: [{ kid, alg: "RS256", createdAt: 1, activatesAt: 1, privateJwk }] });
    const error = await refusal(manager(await storeWith(text)));
    expect(error.code).toBe("invalid_key");
    expect(error.message).toMatch(/2048 bits/);
  });

  it("loads what it wrote, for every algorithm", async () => {
    for (const alg of ["RS256", "ES256", "EdDSA"] as const) {
      const keyset = await validKeyset(alg);
      const directory = await storeWith(serializeKeyset(keyset));
      const loaded = await readKeyset(directory);
      expect(loaded?.keyset).toEqual(keyset);
      const opened = await manager(directory, { algorithm: alg });
      expect(opened.jwks().keys.map((jwk) => jwk.kid)).toEqual([keyset.keys[0]?.kid]);
    }
  });
});

describe("atomic writes", () => {
  it("replaces the file whole and leaves no temporary file", async () => {
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory);
    for (let i = 0; i < 5; i++) await keys.rotate();
    expect((await readdir(directory)).sort()).toEqual([".gitignore", "keyset.json"]);
    expect((await readKeyset(directory))?.keyset.keys).toHaveLength(6);
    expect((await stat(join(directory, "keyset.json"))).mode & 0o777).toBe(0o600);
  });

  it("reports a failed write with the file and cleans up", async () => {
    const root = await tempDir();
    const file = join(root, "missing-directory", "keyset.json");
    const error = await refusal(writeFileAtomic(file, "{}", 0o600));
    expect(error.code).toBe("io_error");
    expect(error.message).toContain(file);
    expect(await readdir(root)).toEqual([]);
  });
});
