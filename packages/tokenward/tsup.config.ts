import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: ESM and CommonJS with declarations, runtime-neutral (node
    // built-ins are reached through process.getBuiltinModule, never imported).
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    platform: "neutral",
    target: "es2022",
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    esbuildOptions(options) {
      // Keep `import("jose")` an import in the CommonJS build: jose is ESM-only.
      options.supported = { ...options.supported, "dynamic-import": true };
    },
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    banner: { js: "#!/usr/bin/env node" },
  },
]);
