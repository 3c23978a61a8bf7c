import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library (createIssuer, stores) for Node: ESM and CommonJS with
    // declarations. The command-line entry is ESM only (tokenward's CLI
    // imports it on demand for `serve` and `keys`).
    entry: { index: "src/index.ts", cli: "src/cli/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    external: ["tokenward", "hono", "@hono/node-server", "ioredis", "jose"],
  },
]);
