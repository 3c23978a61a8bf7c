// `tokenward keys`: run in-process with a captured io in a temporary
// directory; outputs, exit codes, and never a byte of private key material.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keysCommand } from "../../src/cli/keys.js";
import type { CommandIo } from "../../src/cli/types.js";
import type { Keyset } from "../../src/keys/keyset.js";
import { tempDir } from "./fixtures.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, ...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd };
  const code = await keysCommand.run(argv, io);
  return { code, stdout, stderr };
}

async function keysetAt(directory: string): Promise<Keyset> {
  return JSON.parse(await readFile(join(directory, "keyset.json"), "utf8")) as Keyset;
}

/** Every private member value in the store: none may ever appear in any output. */
async function secretsOf(directory: string): Promise<string[]> {
  const keyset = await keysetAt(directory);
  return keyset.keys.flatMap((key) =>
    ["d", "p", "q", "dp", "dq", "qi"].flatMap((name) => (key.privateJwk[name] === undefined ? [] : [key.privateJwk[name] as string])),
  );
}

function expectNoSecrets(outputs: Run[], secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const output of outputs) for (const secret of secrets) expect(output.stdout + output.stderr).not.toContain(secret);
}

describe("generate", () => {
  it("creates the store with one key in the default directory, then refuses to overwrite it", async () => {
    const cwd = await tempDir();
    const created = await run(cwd, "generate");
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const directory = join(cwd, ".tokenward", "keys");
    const keyset = await keysetAt(directory);
    expect(keyset.keys).toHaveLength(1);
    expect(keyset.keys[0]?.alg).toBe("RS256");
    expect(created.stdout).toContain(keyset.keys[0]?.kid);
    expect(created.stdout).toContain(join(directory, "keyset.json"));

    const again = await run(cwd, "generate");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds keys/);
    expect(again.stderr).toContain("tokenward keys rotate");
    expect(again.stderr).toContain("--force");
    expect((await keysetAt(directory)).keys[0]?.kid).toBe(keyset.keys[0]?.kid);

    const forced = await run(cwd, "generate", "--force", "--algorithm", "EdDSA", "--json");
    expect(forced.code).toBe(0);
    const replaced = await keysetAt(directory);
    expect(replaced.keys).toHaveLength(1);
    expect(replaced.keys[0]?.alg).toBe("EdDSA");
    expect(JSON.parse(forced.stdout)).toMatchObject({
      directory,
      keys: [{ kid: replaced.keys[0]?.kid, alg: "EdDSA", state: "signing", retiresAt: null, removeAt: null }],
    });
    expectNoSecrets([created, again, forced], await secretsOf(directory));
  });
});

describe("rotate and list", () => {
  it("rotates on the schedule, immediately, and with revocation, and lists every state", async () => {
    const cwd = await tempDir();
    const outputs: Run[] = [];
    outputs.push(await run(cwd, "generate", "--dir", "keys", "--algorithm", "ES256"));
    const directory = join(cwd, "keys");
    const [original] = (await keysetAt(directory)).keys;

    const scheduled = await run(cwd, "rotate", "--dir", "keys", "--publish-lead", "120", "--token-lifetime", "900", "--json");
    outputs.push(scheduled);
    expect(scheduled.code).toBe(0);
    const report = JSON.parse(scheduled.stdout) as { rotated: string; keys: Array<Record<string, unknown>> };
    expect(report.keys.map((key) => key.state)).toEqual(["signing", "next"]);
    const [old, added] = report.keys;
    expect(added?.kid).toBe(report.rotated);
    expect(added?.alg).toBe("ES256");
    expect(Number(added?.activatesAt) - Number(added?.createdAt)).toBe(120);
    expect(old?.retiresAt).toBe(added?.activatesAt);
    expect(Number(old?.removeAt) - Number(old?.retiresAt)).toBe(900 + 60);

    const listed = await run(cwd, "list", "--dir", "keys");
    outputs.push(listed);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^KID\s+ALG\s+STATE\s+CREATED\s+ACTIVATES\s+RETIRES\s+REMOVED AT$/);
    expect(lines[1]).toMatch(new RegExp(`^${original?.kid}\\s+ES256\\s+signing\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ`));
    expect(lines[2]).toMatch(new RegExp(`^${report.rotated}\\s+ES256\\s+next\\s+.*\\s-\\s+-$`));

    const immediate = await run(cwd, "rotate", "--dir", "keys", "--immediate");
    outputs.push(immediate);
    expect(immediate.code).toBe(0);
    expect(immediate.stdout).toMatch(/published now, signing from/);
    const afterImmediate = JSON.parse((await run(cwd, "list", "--dir", "keys", "--json")).stdout) as { keys: Array<{ state: string }> };
    expect(afterImmediate.keys.map((key) => key.state)).toEqual(["retiring", "retiring", "signing"]);

    const revoked = await run(cwd, "rotate", "--dir", "keys", "--revoke-previous", "--algorithm", "EdDSA");
    outputs.push(revoked);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/previous keys are removed/);
    const final = await keysetAt(directory);
    expect(final.keys).toHaveLength(1);
    expect(final.keys[0]?.alg).toBe("EdDSA");
    expectNoSecrets(outputs, await secretsOf(directory));
  });

  it("takes the directory and the schedule from --config, relative to the configuration file", async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, "conf"));
    const config = {
      issuer: "http://localhost:9000",
      keys: { directory: "secrets/keys", algorithm: "EdDSA", jwksMaxAgeSeconds: 60 },
      tokens: { lifetimeSeconds: 600 },
      clients: [],
    };
    await writeFile(join(cwd, "conf", "issuer.json"), JSON.stringify(config));
    expect((await run(cwd, "generate", "--config", "conf/issuer.json")).code).toBe(0);
    const directory = join(cwd, "conf", "secrets", "keys");
    expect((await keysetAt(directory)).keys[0]?.alg).toBe("EdDSA");
    const rotated = await run(cwd, "rotate", "--config", "conf/issuer.json", "--json");
    expect(rotated.code).toBe(0);
    const [old, added] = (JSON.parse(rotated.stdout) as { keys: Array<Record<string, number>> }).keys;
    // publishLeadSeconds defaults to 2 x jwksMaxAgeSeconds; removal waits for the configured token lifetime.
    expect(Number(added?.activatesAt) - Number(added?.createdAt)).toBe(120);
    expect(Number(old?.removeAt) - Number(old?.retiresAt)).toBe(600 + 60);
  });
});

describe("errors", () => {
  const usage: Array<[string, string[], RegExp]> = [
    ["no subcommand", [], /name a subcommand/],
    ["an unknown subcommand", ["delete"], /unknown subcommand "delete"/],
    ["an unknown option", ["list", "--verbose"], /--verbose/],
    ["a bad algorithm", ["generate", "--algorithm", "HS256"], /--algorithm must be one of RS256, ES256, EdDSA/],
    ["--dir with --config", ["list", "--dir", "a", "--config", "b.json"], /--dir or --config, not both/],
    ["--force on rotate", ["rotate", "--force"], /--force applies to `keys generate` only/],
    ["--immediate on list", ["list", "--immediate"], /--immediate applies to `keys rotate` only/],
    ["an extra argument", ["list", "extra"], /unexpected argument "extra"/],
    ["a negative lead", ["rotate", "--publish-lead=-5"], /--publish-lead takes a whole number of seconds/],
    ["a missing config file", ["list", "--config", "nope.json"], /no configuration file at/],
  ];
  for (const [name, argv, message] of usage) {
    it(`exits 2 on ${name}, with the message and the usage on stderr`, async () => {
      const result = await run(await tempDir(), ...argv);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/^tokenward keys: /);
    });
  }

  it("exits 2 when there is nothing to rotate or list, naming the command that creates keys", async () => {
    const cwd = await tempDir();
    for (const sub of ["rotate", "list"]) {
      const result = await run(cwd, sub, "--dir", "keys");
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("tokenward keys generate --dir");
    }
  });

  it("exits 2 with the chmod to run on a key directory others can read", async () => {
    const cwd = await tempDir();
    expect((await run(cwd, "generate", "--dir", "keys", "--algorithm", "EdDSA")).code).toBe(0);
    await chmod(join(cwd, "keys"), 0o755);
    const result = await run(cwd, "list", "--dir", "keys");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`chmod 700 ${join(cwd, "keys")}`);
  });

  it("exits 2 on a corrupt key file without echoing it", async () => {
    const cwd = await tempDir();
    expect((await run(cwd, "generate", "--dir", "keys", "--algorithm", "ES256")).code).toBe(0);
    const secrets = await secretsOf(join(cwd, "keys"));
    const text = await readFile(join(cwd, "keys", "keyset.json"), "utf8");
    await writeFile(join(cwd, "keys", "keyset.json"), text.slice(0, -20), { mode: 0o600 });
    const result = await run(cwd, "rotate", "--dir", "keys");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not valid JSON/);
    expectNoSecrets([result], secrets);
  });

  it("--help prints the usage and exits 0", async () => {
    const result = await run(await tempDir(), "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(keysCommand.usage);
    expect(result.stdout).toMatch(/tokenward keys <generate \| rotate \| list>/);
  });
});
