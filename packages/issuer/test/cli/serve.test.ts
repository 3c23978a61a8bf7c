// `tokenward serve --config FILE` through the real command line: starts,
// answers, explains a bad configuration, stops on SIGTERM.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretHash } from "../helpers/issuer.js";
import { freePort, spawnNode } from "../helpers/process.js";

const cli = join(fileURLToPath(new URL(".", import.meta.url)), "../../../tokenward/dist/cli/main.js");

describe("tokenward serve", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tokenward-serve-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the issuer from a config file and stops on SIGTERM", async () => {
    const port = await freePort();
    const config = join(dir, "issuer.json");
    await writeFile(
      config,
      JSON.stringify({
        issuer: `http://127.0.0.1:${port}`,
        keys: { directory: "keys" },
        clients: [{ clientId: "svc", secretHash: await secretHash(), audiences: ["https://api.example.test"], scopes: ["read"] }],
      }),
    );
    const serve = spawnNode([cli, "serve", "--config", config, "--host", "127.0.0.1"]);
    try {
      await serve.waitFor(/listening on/);
      const metadata = (await (await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(`http://127.0.0.1:${port}`);
    } finally {
      expect(await serve.stop("SIGTERM")).toBe(0);
    }
  });

  it("explains a bad configuration with the field and exits 2", async () => {
    const config = join(dir, "bad.json");
    await writeFile(
      config,
      JSON.stringify({ issuer: "http://example.com", clients: [{ clientId: "svc", secretHash: "plain-secret", audiences: [], scopes: ["a b"] }] }),
    );
    const serve = spawnNode([cli, "serve", "--config", config]);
    const code = await new Promise<number | null>((resolve) => serve.child.once("exit", resolve));
    expect(code).toBe(2);
    const output = serve.output();
    expect(output).toContain("issuer");
    expect(output).toContain("clients[0].secretHash");
    expect(output).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });

  it("says where the file is when it is missing or not JSON", async () => {
    const missing = spawnNode([cli, "serve", "--config", join(dir, "nope.json")]);
    expect(await new Promise((resolve) => missing.child.once("exit", resolve))).toBe(2);
    expect(missing.output()).toContain("no configuration file at");
    const broken = join(dir, "broken.json");
    await writeFile(broken, "{ nope");
    const notJson = spawnNode([cli, "serve", "--config", broken]);
    expect(await new Promise((resolve) => notJson.child.once("exit", resolve))).toBe(2);
    expect(notJson.output()).toContain("is not JSON");
  });

  it("says where a file is not JSON without quoting it (a private key given by mistake stays unprinted)", async () => {
    // A private JWK cut short: V8's parser message would quote the text around the error.
    const slipped = join(dir, "slipped.json");
    await writeFile(slipped, '{"kty":"OKP","crv":"Ed25519","d":\'Zk9xQ2hJdSecretSecret\',"x":"abc"}');
    const serve = spawnNode([cli, "serve", "--config", slipped]);
    expect(await new Promise((resolve) => serve.child.once("exit", resolve))).toBe(2);
    const output = serve.output();
    expect(output).toContain(`${slipped} is not JSON`);
    expect(output).not.toContain("Zk9xQ2hJd");
  });
});
