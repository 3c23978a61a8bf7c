import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library and its framework adapters: ESM and CommonJS with
    // declarations, runtime-neutral (node built-ins are reached through
    // process.getBuiltinModule, never imported). Code splitting keeps one copy
    // of the core shared by every entry, so TokenError is one class.
    entry: {
      index: "src/index.ts",
      express: "src/adapters/express.ts",
      fastify: "src/adapters/fastify.ts",
      hono: "src/adapters/hono.ts",
      koa: "src/adapters/koa.ts",
      web: "src/adapters/web.ts",
    },
    format: ["esm", "cjs"],
    platform: "neutral",
    target: "es2022",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    external: ["express", "fastify", "hono", "koa"],
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
    external: ["@tokenward/issuer"],
  },
]);
