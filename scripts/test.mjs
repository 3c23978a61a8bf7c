#!/usr/bin/env node
// `npm test`: installs what is missing, builds, lints, type-checks and runs
// every test. Works from a fresh clone; each step stops the run on failure.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function step(title, command, args) {
  const started = Date.now();
  process.stdout.write(`\n=== ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`\n=== ${title} FAILED after ${seconds} s (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`=== ${title}: ok in ${seconds} s\n`);
}

// Reinstall when node_modules is missing or was installed from another lockfile.
const lock = join(root, "package-lock.json");
const stamp = join(root, "node_modules", ".tokenward-lock-hash");
const lockHash = existsSync(lock) ? createHash("sha256").update(readFileSync(lock)).digest("hex") : "none";
// `npm install` rather than `npm ci`: it installs the lockfile's versions just
// the same, while npm 11's `ci` refuses lockfiles that leave out optional
// packages for other platforms (esbuild's, biome's), as npm 11 writes them.
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lockHash) {
  step("install dependencies", npm, ["install", "--no-audit", "--no-fund"]);
  writeFileSync(stamp, lockHash);
}

step("build", npm, ["run", "build"]);
step("lint and format (biome)", npm, ["run", "lint"]);
step("type-check", npm, ["run", "typecheck"]);
step("tests (vitest)", npm, ["exec", "--", "vitest", "run", ...process.argv.slice(2)]);
