/**
 * Node built-ins without a static `import "node:…"`: bundlers for Workers,
 * Deno or browsers never see one, and Node (20.16+), Bun and Deno still hand
 * the module over at run time through `process.getBuiltinModule`.
 */
type NodeCrypto = typeof import("node:crypto");
type NodeBuffer = typeof import("node:buffer");

interface ProcessLike {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
}

function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (typeof proc?.getBuiltinModule !== "function") return undefined;
  // Cloudflare's nodejs_compat offers getBuiltinModule with a partial
  // node:crypto; WebCrypto is the complete API there.
  const ua = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  if (ua === "Cloudflare-Workers") return undefined;
  try {
    return proc.getBuiltinModule(id) as T | undefined;
  } catch {
    return undefined;
  }
}

export const nodeCrypto: NodeCrypto | undefined = builtin<NodeCrypto>("node:crypto");
export const nodeBuffer: NodeBuffer | undefined = builtin<NodeBuffer>("node:buffer");
