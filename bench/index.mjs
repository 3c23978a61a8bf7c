// `npm run bench`: tokenward against the ceiling (raw node:crypto) and the
// anchors (jose, fast-jwt, jsonwebtoken, aws-jwt-verify), measured side by
// side in one run on the same tokens and keys. Ratios, not absolute numbers,
// are what compare across machines. Writes the table to bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { opsPerSecond } from "./lib/measure.mjs";
import { awsJwtVerify, fastJwt, jose, jsonwebtokenVerifier, raw, tokenward } from "./lib/subjects.mjs";
import { makeKey, makeTokens } from "./lib/tokens.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const timing = quick ? { roundMs: 200, rounds: 3, warmupMs: 100 } : { roundMs: 500, rounds: 5, warmupMs: 300 };
const POOL = quick ? 2_000 : 10_000;
const out = [];
const log = (line = "") => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
// Each verification gets its own string, as each request parses its own
// Authorization header: a cache pays for hashing what it looks up.
const fresh = (token) => ` ${token}`.slice(1);
const fmt = (n) => (n === undefined ? "n/a" : Math.round(n).toLocaleString("en-US"));
const ratio = (n, base) => (n === undefined ? "" : `${(n / base).toFixed(2)}x`);

const cpus = os.cpus();
log("# tokenward benchmarks");
log();
log(
  `${new Date().toISOString()} · Node ${process.version} · ${os.platform()} ${os.arch()} · ${cpus[0]?.model ?? "cpu"} × ${cpus.length} · ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
log(
  `one verification at a time, each awaited, each token a fresh string (as parsed from a request); median of ${timing.rounds} rounds of ${timing.roundMs} ms; ${POOL.toLocaleString("en-US")} distinct tokens per algorithm, Entra- and Okta-shaped`,
);
log(
  "The ceiling row is one-shot crypto.verify; tokenward checks RSA and ECDSA signatures with node:crypto's streaming Verify objects (createVerify), the same OpenSSL check at a lower cost per call on Node 20, which is why it can come within a few percent of the ceiling.",
);
log();

const summary = {};
for (const alg of ["RS256", "PS256", "ES256", "EdDSA"]) {
  const key = makeKey(alg);
  const tokens = makeTokens(key, POOL);
  const sizes = tokens.map((t) => t.length);
  const pick = (i) => fresh(tokens[i % tokens.length]);

  const rawVerify = raw(key);
  // A fresh verifier per pass over the pool: every verification is a cache miss.
  let missVerifier;
  const tokenwardMiss = (i) => {
    if (i % tokens.length === 0) missVerifier = tokenward(key);
    return missVerifier.verify(pick(i));
  };
  const noCache = tokenward(key, { cache: false });
  const hitVerifier = tokenward(key);
  const first = tokens[0];
  const repeated = () => fresh(first);
  const fastNoCache = fastJwt(key, false);
  const fastCache = fastJwt(key, true);
  const joseVerify = jose(key);
  const jwtLib = jsonwebtokenVerifier(key);
  const aws = awsJwtVerify(key);

  const rows = [
    ["raw crypto.verify + decode + JSON.parse (ceiling)", await opsPerSecond((i) => rawVerify(pick(i)), timing)],
    ["tokenward, distinct tokens (cache misses)", await opsPerSecond(tokenwardMiss, timing)],
    ["tokenward, cache off", await opsPerSecond((i) => noCache.verify(pick(i)), timing)],
    ["fast-jwt, no cache", await opsPerSecond((i) => fastNoCache(pick(i)), timing)],
    ["jsonwebtoken", jwtLib && (await opsPerSecond((i) => jwtLib(pick(i)), timing))],
    ["aws-jwt-verify", aws && (await opsPerSecond((i) => aws(pick(i)), timing))],
    ["jose jwtVerify (local JWKS)", await opsPerSecond((i) => joseVerify(pick(i)), timing)],
    ["tokenward, repeated token (cache hit)", await opsPerSecond(() => hitVerifier.verify(repeated()), timing)],
    ["fast-jwt with cache, repeated token", await opsPerSecond(() => fastCache(repeated()), timing)],
  ];
  const ceiling = rows[0][1];
  log(`## ${alg} (tokens ${Math.min(...sizes)}-${Math.max(...sizes)} bytes)`);
  log();
  log("| verifier | verifications/s | vs ceiling |");
  log("| --- | ---: | ---: |");
  for (const [name, value] of rows) log(`| ${name} | ${fmt(value)} | ${ratio(value, ceiling)} |`);
  log();
  summary[alg] = Object.fromEntries(rows.map(([name, value]) => [name, value]));
}

// A working set of 10,000 distinct tokens, each reused: the default cache
// holds them all; fast-jwt's default 1,000-entry cache keeps evicting.
{
  const key = makeKey("ES256");
  const working = makeTokens(key, 10_000);
  const pick = (i) => fresh(working[i % working.length]);
  const tw = tokenward(key);
  const fastCache = fastJwt(key, true);
  const fastNoCache = fastJwt(key, false);
  // Two passes first, for every subject alike: tokenward admits a token to its
  // cache on the second verification, fast-jwt on the first.
  for (let pass = 0; pass < 2; pass++) {
    for (const token of working) {
      await tw.verify(token);
      fastCache(token);
      fastNoCache(token);
    }
  }
  const rows = [
    ["tokenward, default cache", await opsPerSecond((i) => tw.verify(pick(i)), timing)],
    ["fast-jwt, default cache (1,000 entries)", await opsPerSecond((i) => fastCache(pick(i)), timing)],
    ["fast-jwt, no cache", await opsPerSecond((i) => fastNoCache(pick(i)), timing)],
  ];
  const stats = tw.cacheStats();
  log("## Working set: 10,000 distinct ES256 tokens, cycled");
  log();
  log("| verifier | verifications/s | vs fast-jwt without cache |");
  log("| --- | ---: | ---: |");
  for (const [name, value] of rows) log(`| ${name} | ${fmt(value)} | ${ratio(value, rows[2][1])} |`);
  log();
  log(
    `tokenward cache after the run: ${stats.entries.toLocaleString("en-US")} entries, ${(stats.bytes / 1048576).toFixed(1)} MiB, hit rate ${((100 * stats.hits) / (stats.hits + stats.misses)).toFixed(1)}%`,
  );
  log();
}

// Memory: a child process with --expose-gc verifies a million distinct tokens.
{
  const total = quick ? 250_000 : 1_000_000;
  const result = JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", join(here, "lib", "memory.mjs"), String(total)], { encoding: "utf8", maxBuffer: 1 << 20 }),
  );
  log(`## Memory: ${total.toLocaleString("en-US")} distinct tokens through one verifier (default cache)`);
  log();
  log("| tokens verified | heap above baseline | cache entries | cache bytes (estimate) |");
  log("| ---: | ---: | ---: | ---: |");
  for (const sample of result.samples) {
    log(
      `| ${sample.tokens.toLocaleString("en-US")} | ${sample.heapMiB.toFixed(1)} MiB | ${sample.entries.toLocaleString("en-US")} | ${(sample.bytes / 1048576).toFixed(1)} MiB |`,
    );
  }
  log();
}

// The aims of issue 4, read off this run.
log("## Aims");
log();
for (const alg of ["RS256", "ES256", "EdDSA"]) {
  const s = summary[alg];
  const miss = s["tokenward, distinct tokens (cache misses)"];
  log(
    `- ${alg} distinct tokens: ${ratio(miss, s["raw crypto.verify + decode + JSON.parse (ceiling)"])} of the ceiling (aim ≥ 0.90x), ${ratio(miss, s["fast-jwt, no cache"])} of fast-jwt without cache (aim ≥ 1.00x)`,
  );
}
for (const alg of ["RS256", "ES256"]) {
  const s = summary[alg];
  const hit = s["tokenward, repeated token (cache hit)"];
  log(`- ${alg} repeated token: ${fmt(hit)}/s (aim ≥ 1,000,000), ${ratio(hit, s["fast-jwt with cache, repeated token"])} of fast-jwt with cache (aim ≥ 2x)`);
}
log();

if (!quick) writeFileSync(join(here, "RESULTS.md"), `${out.join("\n")}\n`);
