// The `tokenward` binary as users run it (packages/tokenward/dist/cli/main.js),
// which loads this package's built commands (@tokenward/issuer/cli) on
// demand: spawned with its output collected, standard output and error apart.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
export const CLI = join(ROOT, "packages", "tokenward", "dist", "cli", "main.js");
const ISSUER_CLI = join(ROOT, "packages", "issuer", "dist", "cli.js");

/** Builds both packages when a built entry is missing (`npm test` builds first; this covers vitest alone on a fresh clone). */
export function ensureBuilt(): void {
  if (existsSync(CLI) && existsSync(ISSUER_CLI)) return;
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build"], { cwd: ROOT, stdio: "pipe" });
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function tokenward(args: readonly string[], options: { cwd?: string; stdin?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 20_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
  });
}

/** Standard output that must be exactly one compact JWS and a newline, nothing else: what $(tokenward mint ...) captures. */
export function tokenOf(run: Run): string {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/.test(run.stdout)) {
    throw new Error(`standard output is not one token and a newline: ${JSON.stringify(run.stdout)} (stderr: ${run.stderr})`);
  }
  return run.stdout.trimEnd();
}
