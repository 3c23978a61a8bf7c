import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Requests seen per path. */
  readonly hits: Map<string, number>;
  count(path: string): number;
  /** Serve `path` with a handler (replacing any earlier one). */
  route(path: string, handler: Handler): void;
  /** Serve JSON at `path`, with extra headers. */
  json(path: string, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 for JWKS and discovery tests: a route can
 * answer, fail, hang or stream without end. `close` also destroys open
 * sockets, so a hanging route cannot keep a test alive.
 */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      response.destroy(error as Error);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    count: (path) => hits.get(path) ?? 0,
    route: (path, handler) => {
      routes.set(path, handler);
    },
    json: (path, body, headers = {}) => {
      routes.set(path, (_request, response) => {
        response.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
      });
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
