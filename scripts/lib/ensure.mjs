// Shared by `npm test` and `npm start`: install what is missing, build what is stale.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs one step with inherited output; a failure ends the process with its status. */
export function step(title, command, args, { quiet = false } = {}) {
  const started = Date.now();
  if (!quiet) process.stdout.write(`\n=== ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`\n=== ${title} FAILED after ${seconds} s (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  if (!quiet) process.stdout.write(`=== ${title}: ok in ${seconds} s\n`);
}

/** Reinstalls when node_modules is missing or was installed from another lockfile. */
export function ensureInstalled(options) {
  const lock = join(root, "package-lock.json");
  const stamp = join(root, "node_modules", ".tokenward-lock-hash");
  const lockHash = existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "none";
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === lockHash) return;
  // `npm install` rather than `npm ci`: it installs the lockfile's versions just
  // the same, while npm 11's `ci` refuses lockfiles that leave out optional
  // packages for other platforms (esbuild's, biome's), as npm 11 writes them.
  step("install dependencies", npm, ["install", "--no-audit", "--no-fund"], options);
  writeFileSync(stamp, lockHash);
}

const PACKAGES = ["tokenward", "issuer"];

/** True when a package's dist is missing or older than any of its sources. */
export function isStale() {
  return PACKAGES.some((name) => {
    const dir = join(root, "packages", name);
    const built = join(dir, "dist", "index.js");
    if (!existsSync(built)) return true;
    const builtAt = statSync(built).mtimeMs;
    return newestMtime(join(dir, "src")) > builtAt || statSync(join(dir, "package.json")).mtimeMs > builtAt;
  });
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
