import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { authenticateRequest } from "../../src/http/authenticate.js";
import { errorResponse } from "../../src/http/challenge.js";
import { type AuthDecision, resolveAuthOptions } from "../../src/http/options.js";
import { createVerifier, TOKEN_ERROR_CODES, TokenError } from "../../src/index.js";
import { REPO_ROOT } from "./support.js";

// docs/adapters.md says nothing the code does not do: its TypeScript samples
// are the files in samples/ (type-checked, and run by samples.test.ts), and
// its tables are compared with what the HTTP layer really answers.

const DOC = readFileSync(join(REPO_ROOT, "docs", "adapters.md"), "utf8");
const SAMPLES = join(REPO_ROOT, "packages", "tokenward", "test", "examples", "samples");
// Nothing is fetched: no token reaches it.
const verifier = createVerifier({ issuers: [{ issuer: "https://issuer.example.com", audience: "api", jwksUri: "https://issuer.example.com/jwks" }] });

/** A sample as the docs show it: imported by package name instead of by path into src/. */
function asDocumented(source: string): string {
  return source.replace(/"\.\.\/\.\.\/\.\.\/src\/adapters\/(\w+)\.js"/g, '"tokenward/$1"').replaceAll('"../../../src/index.js"', '"tokenward"');
}

/** The rows of the first table after a heading, as cells without their backticks. */
function table(heading: string): string[][] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/adapters.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const section = DOC.slice(start + 1).split(/\n## /)[0] as string;
  const lines = section.split("\n");
  const first = lines.findIndex((line) => line.startsWith("| "));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("| ")) break;
    rows.push(
      line
        .slice(2, -2)
        .split(" | ")
        .map((cell) => cell.replace(/^`(.*)`$/, "$1")),
    );
  }
  return rows;
}

describe("docs/adapters.md", () => {
  const blocks = [...DOC.matchAll(/(?:<!-- sample: ([\w.-]+) -->\n)?```(\w*)\n([\s\S]*?)```/g)];

  it("shows every TypeScript sample verbatim from a file in samples/ (type-checked and run by the tests)", () => {
    const typescript = blocks.filter((block) => ["ts", "typescript", "js", "javascript", "tsx"].includes(block[2] as string));
    expect(typescript.length).toBeGreaterThan(10);
    for (const [, name, , code] of typescript) {
      expect(name, `a code block without a <!-- sample: … --> marker:\n${code}`).toBeDefined();
      expect(code, `docs/adapters.md differs from samples/${name}`).toBe(asDocumented(readFileSync(join(SAMPLES, name as string), "utf8")));
    }
  });

  it("shows every file of samples/, and has no code blocks in other languages than sh, json and http", () => {
    const shown = blocks.map((block) => block[1]).filter((name) => name !== undefined);
    expect([...shown].sort()).toEqual(readdirSync(SAMPLES).sort());
    const others = blocks.filter((block) => block[1] === undefined).map((block) => block[2]);
    expect(others.every((language) => language === "sh" || language === "json" || language === "http")).toBe(true);
  });

  it("gives, for every error code, the status, WWW-Authenticate and body the adapters answer with (RFC 6750 §3)", () => {
    const rows = table("Answers (RFC 6750 §3)");
    expect(rows.map((row) => row[0])).toEqual([...TOKEN_ERROR_CODES]);
    for (const [code, status, challenge, body] of rows) {
      const error = new TokenError(code as (typeof TOKEN_ERROR_CODES)[number], {
        hint: "an operator hint",
        ...(code === "insufficient_scope" ? { requiredScopes: ["write:data"] } : {}),
      });
      const response = errorResponse(error, { realm: "api", resourceMetadata: undefined });
      expect({ code, status: Number(status), challenge: challenge === "(none)" ? undefined : challenge, body: JSON.parse(body as string) }).toEqual({
        code,
        status: response.status,
        challenge: response.headers["www-authenticate"],
        body: JSON.parse(JSON.stringify(response.body)),
      });
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(response.headers["retry-after"] !== undefined).toBe(response.status === 503);
    }
  });

  it("lists exactly the options authenticate takes", () => {
    expect(table("Options").map((row) => row[0])).toEqual(Object.keys(resolveAuthOptions({ verifier })));
  });

  it("lists exactly the fields of a decision event, and its example log line is JSON", async () => {
    const decisions: AuthDecision[] = [];
    await authenticateRequest(
      { authorization: [], queryTokens: [], bodyTokens: [], method: "GET", path: "/" },
      resolveAuthOptions({ verifier, onDecision: (decision) => decisions.push(decision) }),
    );
    expect(table("Decisions: logs and metrics").map((row) => row[0])).toEqual(Object.keys(decisions[0] ?? {}));
    const example = /```json\n(.*)\n```/.exec(DOC)?.[1] ?? "";
    expect(JSON.parse(example)).toMatchObject({ event: "auth", code: "insufficient_scope", status: 403 });
  });
});
