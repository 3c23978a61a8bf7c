import { defineConfig } from "tsup";

export default defineConfig([
  {
    // A Node library (it runs an HTTP server): ESM and CommonJS with
    // declarations. jose stays external; the CommonJS build requires it
    // (jose is ESM-only: require(esm), Node 20.19 and newer).
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    external: ["jose"],
  },
]);
