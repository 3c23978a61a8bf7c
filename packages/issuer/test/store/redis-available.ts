// The Redis tests need a real Redis on 127.0.0.1:6379 (.ci/run starts one).
// When it is not there, they fail at once with this message instead of each
// waiting out the test timeout.

import { connect } from "node:net";

export const REDIS_HOST = "127.0.0.1";
export const REDIS_PORT = 6379;
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;

function howToStart(port: number): string {
  return (
    `These tests need Redis listening on ${REDIS_HOST}:${port}. Start one with ` +
    `\`redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no\` ` +
    `(or run .ci/run, which starts it), then check it with \`redis-cli -h ${REDIS_HOST} -p ${port} ping\`.`
  );
}

/** Resolves when Redis answers PING within `timeoutMs`; rejects with how to start it otherwise. */
export function requireRedis(port = REDIS_PORT, timeoutMs = 1_500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: REDIS_HOST, port });
    let answer = "";
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`Redis is not reachable on ${REDIS_HOST}:${port} (${why}). ${howToStart(port)}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.on("error", (error) => fail(error.message));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (!answer.includes("\r\n")) return;
      socket.destroy();
      if (answer.startsWith("+PONG")) resolve();
      else fail(`it answered ${JSON.stringify(answer.trim().slice(0, 80))} to PING`);
    });
  });
}
