// The load generator, in its own process (forked by index.mjs): one
// autocannon run against one server, a fixed number of connections with
// pipelining 1, every response checked. Throughput is counted in consecutive
// windows after a warm-up; the parent takes the median window.
//
// Each connection gets its own slice of the token file as a static request
// list (client.setRequests in setupClient), so every request buffer is built
// before the clock starts and costs the load generator nothing per request:
//   - reuse: 1,000 tokens in 20-token slices, each connection cycling its own;
//   - distinct: disjoint slices of a large pool, and a connection that comes
//     round to its first token again is an error (a token would repeat).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { CEILING_BODY, PATH } from "./subjects.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");

const cfg = JSON.parse(process.argv[2]);

const entries = readFileSync(cfg.tokensFile, "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => line.split("\t"));
const perClient = Math.floor(entries.length / cfg.connections);
// What a correct answer is: the ceiling's fixed body, or the { sub } of one of the tokens sent.
const bodies = cfg.ceiling ? new Set([CEILING_BODY]) : new Set(entries.map(([, sub]) => JSON.stringify({ sub })));

/** Seconds of CPU the server process has used (Linux /proc; USER_HZ is 100 on every Linux that Node supports). */
function serverCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/${cfg.serverPid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
/** Seconds of CPU all processes of the machine have used (Linux /proc/stat), to see whether anything else competed. */
function machineCpuSeconds() {
  try {
    const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/ +/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}
const loaderCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

let responses = 0;
let notOk = 0;
const statuses = {};
let repeated = 0;
let clientIndex = 0;

function setupClient(client) {
  const index = clientIndex++;
  const slice = entries.slice(index * perClient, (index + 1) * perClient);
  client.setRequests(slice.map(([token]) => ({ method: "GET", path: PATH, headers: { authorization: `Bearer ${token}` } })));
  if (cfg.shape === "distinct") {
    let sent = 0;
    // pipelining 1: a response means the next request goes out; past the slice it would repeat a token.
    client.on("response", () => {
      if (++sent >= slice.length) repeated++;
    });
  }
}

const instance = autocannon({
  url: `http://127.0.0.1:${cfg.port}`,
  connections: cfg.connections,
  pipelining: 1,
  duration: 3600, // stopped below, after the last window
  sampleInt: 100,
  setupClient,
  verifyBody: (body) => bodies.has(body),
});
// A server that never answers must not hang the benchmark.
const watchdog = setTimeout(() => instance.stop(), cfg.warmupMs + cfg.windows * cfg.windowMs + 20_000);

instance.on("response", (_client, statusCode) => {
  responses++;
  if (statusCode !== 200) {
    notOk++;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const snapshot = () => ({ at: performance.now(), responses, server: serverCpuSeconds(), loader: loaderCpuSeconds(), machine: machineCpuSeconds() });
const perSecond = (current, previous, key, seconds) =>
  current[key] === undefined || previous[key] === undefined ? undefined : (current[key] - previous[key]) / seconds;

instance.once("response", async () => {
  await sleep(cfg.warmupMs);
  const windows = [];
  let previous = snapshot();
  for (let i = 0; i < cfg.windows; i++) {
    await sleep(cfg.windowMs);
    const current = snapshot();
    const seconds = (current.at - previous.at) / 1000;
    windows.push({
      rate: (current.responses - previous.responses) / seconds,
      serverCpu: perSecond(current, previous, "server", seconds),
      loaderCpu: perSecond(current, previous, "loader", seconds),
      machineCpu: perSecond(current, previous, "machine", seconds),
    });
    previous = current;
  }
  instance.windows = windows;
  clearTimeout(watchdog);
  instance.stop();
});

instance.on("done", (result) => {
  process.send(
    {
      windows: instance.windows ?? [],
      responses,
      notOk,
      statuses,
      repeated,
      tokensPerConnection: perClient,
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
      resets: result.resets,
      non2xx: result.non2xx,
    },
    () => process.exit(0),
  );
});
