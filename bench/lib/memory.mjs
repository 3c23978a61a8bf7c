// Run with --expose-gc: heap while verifying a million distinct tokens with
// the default verified-token cache. HS256 tokens, because minting a million
// RSA signatures would take longer than the whole benchmark. Each token is
// verified twice, so every one is admitted to the cache (a token enters on
// its second verification): the worst case for the cache's memory.
import { randomBytes } from "node:crypto";
import { createVerifier } from "tokenward";
import { AUDIENCE, ISSUER, makeHmacTokens } from "./tokens.mjs";

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const BATCH = 50_000;
const secret = randomBytes(32);
const verifier = createVerifier({ issuers: [{ issuer: ISSUER, audience: AUDIENCE, secret, algorithms: ["HS256"] }] });

const heapMiB = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed / 1048576;
};

async function batch() {
  const tokens = makeHmacTokens(secret, BATCH);
  for (const token of tokens) await verifier.verify(token);
  for (const token of tokens) await verifier.verify(token);
}

const baseline = heapMiB();
const samples = [];
for (let done = 0; done < TOTAL; ) {
  await batch();
  done += BATCH;
  if (done % 250_000 === 0) samples.push({ tokens: done, heapMiB: heapMiB() - baseline, ...verifier.cacheStats() });
}
process.stdout.write(`${JSON.stringify({ baselineMiB: baseline, samples })}\n`);
