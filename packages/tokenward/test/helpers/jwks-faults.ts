import type { Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { TokenError } from "../../src/index.js";
import type { Handler } from "./http-server.js";

export const BACKENDS = ["node", "webcrypto"] as const;

/** Awaits a promise that must reject with a TokenError, and returns the error. */
export async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  const outcome = await promise.then(
    (value: unknown) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a TokenError, but it resolved with ${JSON.stringify(outcome.value)?.slice(0, 200)}`);
  if (!TokenError.is(outcome.error)) throw outcome.error;
  return outcome.error;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A route that answers with a status and a small JSON error body. */
export function failing(status: number): Handler {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json" }).end('{"error":"server_error"}');
  };
}

/** A route that accepts the request and never writes a byte. */
export const silent: Handler = () => undefined;

/** A route that sends the headers and the first bytes of a JWKS, then stalls forever. */
export const stallsBody: Handler = (_request, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.write('{"keys":[');
};

export interface Flood {
  readonly handler: Handler;
  /** Resolves, once the client went away, with the bytes the socket carried (headers included). */
  readonly closed: Promise<number>;
}

/**
 * A route that streams `totalBytes` of whitespace (valid JSON padding) as fast
 * as the client takes it, with or without a Content-Length, and reports how
 * many bytes had left the server when the connection closed. A client that
 * enforces a byte cap closes long before the end.
 */
export function flood(totalBytes: number, options: { declareLength: boolean; chunkBytes?: number }): Flood {
  const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 0x20);
  let settle: (bytes: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => {
    settle = resolve;
  });
  const handler: Handler = async (_request, response) => {
    const socket = response.socket as Socket;
    let gone = false;
    socket.once("close", () => {
      gone = true;
      settle(socket.bytesWritten);
    });
    response.writeHead(200, { "content-type": "application/json", ...(options.declareLength ? { "content-length": String(totalBytes) } : {}) });
    let sent = 0;
    while (!gone && sent < totalBytes) {
      const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
      sent += piece.length;
      if (!response.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off("drain", done);
            socket.off("close", done);
            resolve();
          };
          response.once("drain", done);
          socket.once("close", done);
        });
      }
    }
    if (!gone) response.end();
  };
  return { handler, closed };
}

/** A route answering a small gzip body that inflates to `inflatedBytes` of JSON padding (a decompression bomb). */
export function gzipBomb(inflatedBytes: number): { handler: Handler; compressedBytes: number } {
  const body = gzipSync(Buffer.concat([Buffer.from('{"keys":[]'), Buffer.alloc(inflatedBytes, 0x20), Buffer.from("}")]));
  return {
    compressedBytes: body.length,
    handler: (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(body.length) }).end(body);
    },
  };
}
