import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, createVerifier, TOKEN_ERROR_CODES } from "../../src/index.js";
import { INTROSPECTION_CACHE_DEFAULTS } from "../../src/introspection/options.js";
import { REPO_ROOT } from "../examples/support.js";
import { API, AS_ISSUER } from "./helpers.js";

// docs/introspection.md says what the code does: its options table lists
// exactly the options createVerifier knows, and its failure table only codes
// that exist.

const DOC = readFileSync(join(REPO_ROOT, "docs", "introspection.md"), "utf8");

/** The rows of the first table after a heading, as cells. */
function table(heading: string): string[][] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/introspection.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const lines = (DOC.slice(start + 1).split(/\n## /)[0] as string).split("\n");
  const first = lines.findIndex((line) => line.startsWith("| "));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("| ")) break;
    rows.push(line.slice(2, -2).split(" | "));
  }
  return rows;
}

/** The options createVerifier knows, as its ConfigError for an unknown one lists them. */
function knownOptions(): string[] {
  try {
    createVerifier({
      issuers: [{ issuer: AS_ISSUER, audience: API, introspection: { clientId: "a", clientSecret: "b", unknown: 1 } as never }],
    });
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    const known = /; known: (.*)$/.exec(error.message)?.[1];
    if (known !== undefined) return known.split(", ");
  }
  throw new Error("expected a ConfigError listing the known options");
}

describe("docs/introspection.md", () => {
  it("documents every option, and no other", () => {
    const documented = table("Options").map((row) => (row[0] as string).replace(/^`(.*)`$/, "$1"));
    expect(documented).toEqual(knownOptions());
  });

  it("states the cache defaults the code uses", () => {
    const cache = table("Options").find((row) => row[0] === "`cache`");
    const { maxEntries, maxBytes, maxTtlSeconds } = INTROSPECTION_CACHE_DEFAULTS;
    expect(cache?.[1]).toBe(`\`{ maxEntries: ${maxEntries}, maxBytes: ${maxBytes / 1024 / 1024} MiB, maxTtlSeconds: ${maxTtlSeconds} }\``);
  });

  it("names only real error codes, with their real status", () => {
    const rows = table("Failures");
    expect(rows.length).toBeGreaterThan(5);
    for (const [, codes, status] of rows) {
      for (const [, code] of (codes as string).matchAll(/`(\w+)`/g)) {
        expect(TOKEN_ERROR_CODES).toContain(code);
      }
      expect(["401", "503"]).toContain(status);
    }
  });
});
