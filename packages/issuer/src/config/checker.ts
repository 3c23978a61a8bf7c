// Reads an untrusted configuration value field by field, collecting every
// problem instead of stopping at the first, so an operator fixes them all in
// one edit. Each reader returns undefined when the value is unusable (and
// says why); callers then skip the rules that depend on it.

import { closest } from "./did-you-mean.js";
import type { ConfigProblem } from "./issuer-config-error.js";
import { child } from "./path.js";

export type Fields = Readonly<Record<string, unknown>>;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  return `${typeof value === "number" && !Number.isFinite(value) ? "a non-finite number" : typeof value}`;
}

export class Checker {
  readonly problems: ConfigProblem[] = [];

  report(path: string, message: string): void {
    this.problems.push({ path: path === "" ? "(the configuration)" : path, message });
  }

  /**
   * A plain object's fields; an unknown field is reported with the known one
   * it most resembles, or with a field-specific hint (`hints`).
   */
  object(path: string, value: unknown, known: readonly string[], hints: Readonly<Record<string, string>> = {}): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.report(path, `must be an object; got ${describe(value)}`);
      return undefined;
    }
    for (const name of Object.keys(value)) {
      if (known.includes(name)) continue;
      const hint = Object.hasOwn(hints, name) ? hints[name] : undefined;
      const guess = closest(name, known);
      this.report(
        child(path, name),
        hint ??
          (guess === undefined
            ? `unknown field ${JSON.stringify(name)}; the fields here are ${known.map((field) => JSON.stringify(field)).join(", ")}`
            : `unknown field ${JSON.stringify(name)}; did you mean ${JSON.stringify(guess)}?`),
      );
    }
    return value as Fields;
  }

  /** A string; `rule` returns why it is unacceptable, if it is. */
  string(path: string, value: unknown, rule?: (text: string) => string | undefined): string | undefined {
    if (typeof value !== "string") {
      this.report(path, `must be a string; got ${describe(value)}`);
      return undefined;
    }
    const problem = rule?.(value);
    if (problem !== undefined) {
      this.report(path, problem);
      return undefined;
    }
    return value;
  }

  integer(path: string, value: unknown, min: number, max: number, unit: string): number | undefined {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.report(path, `must be a whole number of ${unit} from ${min} to ${max}; got ${typeof value === "number" ? String(value) : describe(value)}`);
      return undefined;
    }
    if (value < min || value > max) {
      this.report(path, `must be from ${min} to ${max} ${unit}; got ${value}`);
      return undefined;
    }
    return value;
  }

  boolean(path: string, value: unknown): boolean | undefined {
    if (typeof value !== "boolean") {
      this.report(path, `must be true or false; got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const guess = typeof value === "string" ? closest(value, allowed) : undefined;
    const choices = allowed.map((item) => JSON.stringify(item)).join(", ");
    this.report(
      path,
      typeof value !== "string"
        ? `must be one of ${choices}; got ${describe(value)}`
        : guess === undefined
          ? `must be one of ${choices}; got ${JSON.stringify(value.slice(0, 100))}`
          : `must be one of ${choices}; got ${JSON.stringify(value.slice(0, 100))}, did you mean ${JSON.stringify(guess)}?`,
    );
    return undefined;
  }

  /**
   * An array read item by item; duplicates are reported when `unique`.
   * Every bad item is reported; the list is returned only when all are good,
   * so that rules depending on it (defaultScopes within scopes) do not pile
   * further problems onto one mistake.
   */
  list<T>(
    path: string,
    value: unknown,
    options: { minItems: number; maxItems?: number; unique: boolean; what: string },
    item: (path: string, value: unknown) => T | undefined,
  ): T[] | undefined {
    if (!Array.isArray(value)) {
      this.report(path, `must be an array of ${options.what}; got ${describe(value)}`);
      return undefined;
    }
    if (value.length < options.minItems) {
      this.report(path, `must list at least ${options.minItems === 1 ? "one" : options.minItems} ${options.what}`);
      return undefined;
    }
    if (options.maxItems !== undefined && value.length > options.maxItems) {
      this.report(path, `lists ${value.length} ${options.what}; at most ${options.maxItems} are allowed`);
      return undefined;
    }
    const items: T[] = [];
    const seen = new Map<string, number>();
    let failed = false;
    for (const [index, raw] of value.entries()) {
      const read = item(child(path, index), raw);
      if (read === undefined) {
        failed = true;
        continue;
      }
      if (options.unique) {
        const key = JSON.stringify(read);
        const first = seen.get(key);
        if (first !== undefined) {
          this.report(child(path, index), `repeats ${child(path, first)}; list each value once`);
          failed = true;
          continue;
        }
        seen.set(key, index);
      }
      items.push(read);
    }
    return failed ? undefined : items;
  }
}
