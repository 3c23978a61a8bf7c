import type { Check } from "./check.js";
import { printable } from "./format.js";

const SYMBOL = { pass: "✓", fail: "✗", skip: "-" } as const;
const COLOUR = { pass: "\u001b[32m", fail: "\u001b[31m", skip: "\u001b[2m" } as const;
const RESET = "\u001b[0m";

/**
 * The checklist as a person reads it: one line per check, ✓ passed, ✗
 * failed, - not applicable; under a failure its hint. Colour only when asked
 * (a terminal without NO_COLOR): the symbols carry the meaning on their own.
 */
export function renderChecks(checks: readonly Check[], colour: boolean): string {
  const width = Math.max(...checks.map((check) => check.title.length));
  const lines: string[] = [];
  for (const check of checks) {
    const symbol = colour ? `${COLOUR[check.status]}${SYMBOL[check.status]}${RESET}` : SYMBOL[check.status];
    // Summaries, details and hints quote servers and tokens: escaped here, before the colour codes are added.
    lines.push(`${symbol} ${check.title.padEnd(width)}  ${printable(check.summary)}`);
    for (const detail of check.details ?? []) lines.push(`    ${printable(detail)}`);
    if (check.hint !== undefined) lines.push(`    hint: ${printable(check.hint)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A check as one JSON value: no undefined members, so every consumer sees the same keys. */
export function checkJson(check: Check): Record<string, unknown> {
  return {
    id: check.id,
    title: check.title,
    status: check.status,
    summary: check.summary,
    ...(check.hint === undefined ? {} : { hint: check.hint }),
    ...(check.details === undefined ? {} : { details: check.details }),
    ...(check.data === undefined ? {} : { data: check.data }),
  };
}
