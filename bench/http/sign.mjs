// A worker thread that signs benchmark tokens (bench/lib/tokens.mjs), so the
// large distinct-token pool is signed on every core at once.
import { parentPort, workerData } from "node:worker_threads";
import { makeTokens } from "../lib/tokens.mjs";

parentPort.postMessage(makeTokens(workerData.key, workerData.count));
