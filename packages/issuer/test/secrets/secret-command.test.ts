import { describe, expect, it } from "vitest";
import { secretCommand } from "../../src/cli/secret.js";
import type { CommandIo } from "../../src/cli/types.js";
import { verifySecret } from "../../src/secrets/hash.js";

function capture(stdin?: string): { io: CommandIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: CommandIo = {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    cwd: "/tmp",
    ...(stdin === undefined ? {} : { stdin: async () => stdin }),
  };
  return { io, out: () => out, err: () => err };
}

const HASH = /^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

describe("tokenward secret hash", () => {
  it("prints the hash of a secret given as an argument, and warns about shell history", async () => {
    const { io, out, err } = capture();
    expect(await secretCommand.run(["hash", "a-long-enough-secret"], io)).toBe(0);
    const hash = out().trim();
    expect(hash).toMatch(HASH);
    expect(await verifySecret("a-long-enough-secret", hash)).toBe(true);
    expect(err()).toMatch(/shell history/);
  });

  it("reads standard input with -, dropping one trailing newline only", async () => {
    const { io, out, err } = capture("  spaced secret value \n");
    expect(await secretCommand.run(["hash", "-"], io)).toBe(0);
    expect(await verifySecret("  spaced secret value ", out().trim())).toBe(true);
    expect(err()).toBe("");
  });

  it("warns about a short secret, and still hashes it", async () => {
    const { io, out, err } = capture("demo-secret\r\n");
    expect(await secretCommand.run(["hash", "-"], io)).toBe(0);
    expect(await verifySecret("demo-secret", out().trim())).toBe(true);
    expect(err()).toMatch(/11 characters/);
  });

  it("--generate prints a strong secret and its hash", async () => {
    const { io, out } = capture();
    expect(await secretCommand.run(["hash", "--generate"], io)).toBe(0);
    const match = /^secret: {5}([A-Za-z0-9_-]{43})\nsecretHash: (\S+)\n$/.exec(out());
    expect(match).not.toBeNull();
    expect(await verifySecret(match?.[1] ?? "", match?.[2] ?? "")).toBe(true);
  });

  it("--generate --json prints one JSON object", async () => {
    const { io, out } = capture();
    expect(await secretCommand.run(["hash", "--generate", "--json"], io)).toBe(0);
    const printed = JSON.parse(out()) as { secret: string; secretHash: string };
    expect(await verifySecret(printed.secret, printed.secretHash)).toBe(true);
  });

  it("--json without --generate prints only the hash", async () => {
    const { io, out } = capture("a-long-enough-secret");
    expect(await secretCommand.run(["hash", "-", "--json"], io)).toBe(0);
    expect(Object.keys(JSON.parse(out()) as object)).toEqual(["secretHash"]);
  });

  it("--help prints the usage and exits 0", async () => {
    const { io, out } = capture();
    expect(await secretCommand.run(["hash", "--help"], io)).toBe(0);
    expect(out()).toContain("Usage: tokenward secret hash");
    const second = capture();
    expect(await secretCommand.run(["--help"], second.io)).toBe(0);
  });

  it.each([
    ["no subcommand", [], undefined, /name a subcommand: hash/],
    ["an unknown subcommand", ["verify"], undefined, /unknown subcommand "verify"/],
    ["no secret", ["hash"], undefined, /give the secret as an argument/],
    ["a secret and --generate", ["hash", "x", "--generate"], undefined, /not both/],
    ["two secrets", ["hash", "a", "b"], undefined, /one secret at a time/],
    ["an unknown option", ["hash", "--bogus"], undefined, /bogus/],
    ["empty standard input", ["hash", "-"], "", /standard input was empty/],
    ["a bare newline", ["hash", "-"], "\n", /standard input was empty/],
    ["several lines", ["hash", "-"], "a\nb\n", /more than one line/],
    ["an empty argument", ["hash", ""], undefined, /the secret is empty/],
  ])("exits 2 on %s, explaining on standard error", async (_name, argv, stdin, message) => {
    const { io, out, err } = capture(stdin);
    expect(await secretCommand.run(argv, io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err()).toContain("Usage:");
    expect(out()).toBe("");
  });
});
