export type CheckStatus = "pass" | "fail" | "skip";

/** One line of a diagnosis: what was checked, what was found and, when it failed, the fix. */
export interface Check {
  /** Stable, for scripts reading --json. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly summary: string;
  /** For a failure: the cause and what to change. */
  readonly hint?: string;
  /** Further lines worth seeing (the keys of a JWKS, the other discovery URL). */
  readonly details?: readonly string[];
  /** Facts for machines (skew in seconds, kids). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export function pass(id: string, title: string, summary: string, more: Pick<Check, "details" | "data"> = {}): Check {
  return { id, title, status: "pass", summary, ...more };
}

export function fail(id: string, title: string, summary: string, hint: string, more: Pick<Check, "details" | "data"> = {}): Check {
  return { id, title, status: "fail", summary, hint, ...more };
}

export function skip(id: string, title: string, summary: string, more: Pick<Check, "details" | "data"> = {}): Check {
  return { id, title, status: "skip", summary, ...more };
}
