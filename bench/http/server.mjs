// One server under test, in its own process (forked by index.mjs with an IPC
// channel): starts the subject on 127.0.0.1, reports its port, and exits when
// told to (or when its parent goes away), so that --cpu-prof can write.
import { servers } from "./subjects.mjs";

const cfg = JSON.parse(process.argv[2]);
const start = servers[cfg.subject];
if (start === undefined) throw new Error(`unknown subject ${cfg.subject}`);
const server = await start(cfg);
server.keepAliveTimeout = 30_000;
process.on("message", (message) => {
  if (message === "stop") process.exit(0);
});
process.on("disconnect", () => process.exit(0));
process.send({ port: server.address().port });
