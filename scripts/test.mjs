#!/usr/bin/env node
// `npm test`: installs what is missing, builds, lints, type-checks and runs
// every test. Works from a fresh clone; each step stops the run on failure.
import { ensureInstalled, npm, step } from "./lib/ensure.mjs";

ensureInstalled();
step("build", npm, ["run", "build"]);
step("lint and format (biome)", npm, ["run", "lint"]);
step("type-check", npm, ["run", "typecheck"]);
step("tests (vitest)", npm, ["exec", "--", "vitest", "run", ...process.argv.slice(2)]);
