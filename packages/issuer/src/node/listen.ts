// Serves a fetch handler with node:http through @hono/node-server. Loopback
// by default; "localhost" binds both 127.0.0.1 and ::1 so that clients
// resolving localhost either way reach the same issuer.

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface ListenOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default "localhost" (127.0.0.1 and ::1). */
  hostname?: string;
}

export interface RunningServer {
  /** http://<hostname>:<port> */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type NodeServer = ReturnType<typeof serve>;

export async function listen(fetch: (request: Request) => Promise<Response>, options: ListenOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "localhost";
  const hosts = hostname === "localhost" ? ["127.0.0.1", "::1"] : [hostname];
  const servers: NodeServer[] = [];
  let port = options.port ?? 0;
  for (const [index, host] of hosts.entries()) {
    try {
      const server = await start(fetch, host, port);
      servers.push(server);
      port = (server.address() as AddressInfo).port;
    } catch (error) {
      // ::1 may be missing (IPv6 disabled): 127.0.0.1 alone still serves "localhost".
      if (index > 0 && isUnavailableAddress(error)) continue;
      await Promise.all(servers.map(closeServer));
      throw error;
    }
  }
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${shown}:${port}`,
    port,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function start(fetch: (request: Request) => Promise<Response>, hostname: string, port: number): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port });
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function closeServer(server: NodeServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open until they time out.
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

function isUnavailableAddress(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT";
}
