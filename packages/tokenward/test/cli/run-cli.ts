import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ROOT = join(PACKAGE, "..", "..");

/** The built command line, as `npx tokenward` runs it. */
export const CLI = join(PACKAGE, "dist", "cli", "main.js");

/**
 * Builds the package when dist/cli/main.js is missing (`npm test` always
 * builds first; this covers running vitest alone on a fresh clone).
 */
export function ensureBuilt(): void {
  if (existsSync(CLI)) return;
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build", "-w", "tokenward"], { cwd: ROOT, stdio: "pipe" });
}

export interface CliResult {
  /** The exit status, or null when the process was killed. */
  readonly code: number | null;
  /** The signal that killed the process (after the timeout), or null. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Spawns `node dist/cli/main.js ...args` and collects its output. Standard
 * input is written (or closed empty) at once, so `-` never waits on a
 * terminal. The process is killed after `timeoutMs`.
 */
export function runCli(args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 10_000,
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
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on("error", () => undefined); // the process may exit before reading its input
    child.stdin.end(options.stdin ?? "");
  });
}

/** Parses standard output that must be exactly one JSON object on one line. */
export function jsonLine(stdout: string): Record<string, unknown> {
  if (!stdout.endsWith("\n") || stdout.indexOf("\n") !== stdout.length - 1) {
    throw new Error(`standard output is not exactly one line: ${JSON.stringify(stdout)}`);
  }
  const value: unknown = JSON.parse(stdout);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`standard output is not a JSON object: ${stdout}`);
  return value as Record<string, unknown>;
}
