// The README is the API reference: its samples are the test files verbatim,
// and it names every export and every member of a running issuer.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as testing from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");

describe("README.md", () => {
  for (const sample of ["app.ts", "orders.test.ts"]) {
    it(`shows samples/${sample} verbatim`, () => {
      const block = new RegExp(`<!-- sample: ${sample.replace(".", "\\.")} -->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
      expect(block, `no sample block for ${sample}`).toBeDefined();
      expect(block).toBe(readFileSync(join(here, "samples", sample), "utf8"));
    });
  }

  it("names every export", () => {
    for (const name of Object.keys(testing)) expect(readme, name).toContain(`\`${name}`);
  });

  it("names every member of a running issuer, and every option", async () => {
    await using issuer = await testing.createMockIssuer();
    for (const name of Object.keys(issuer)) expect(readme, name).toContain(`\`${name}`);
    for (const option of ["port", "path", "audience", "algorithms", "keys", "clients", "tokenLifetime", "jwksMaxAge", "preset", "now"]) {
      expect(readme, option).toContain(`| \`${option}\` |`);
    }
    for (const kind of Object.keys(testing.INVALID_TOKENS) as testing.InvalidTokenKind[]) {
      expect(readme, kind).toContain(`| \`${kind}\` |`);
      expect(readme, kind).toMatch(new RegExp(`\\| \`${kind}\` \\|.*\\| \`${testing.INVALID_TOKENS[kind].code}\` \\|`));
    }
    for (const preset of testing.TOKEN_PRESETS) expect(readme, preset).toContain(`| \`${preset}\` |`);
  });
});
