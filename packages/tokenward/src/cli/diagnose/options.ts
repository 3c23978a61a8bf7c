import { JWKS_DEFAULTS } from "../../jwks/options.js";
import { UsageError } from "../io.js";

/** The verifier's own bounds for one fetch: a diagnosis sees what a verifier would. */
export const DIAGNOSE_LIMITS = Object.freeze({ timeoutMs: JWKS_DEFAULTS.timeoutMs, maxBytes: JWKS_DEFAULTS.maxBytes });

/** The verifier's default clock tolerance, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 5;

/** A --name option in seconds (0 or more): `fallback` when absent. */
export function secondsOption(name: string, raw: string | undefined, fallback: number): number;
export function secondsOption(name: string, raw: string | undefined, fallback?: number): number | undefined;
export function secondsOption(name: string, raw: string | undefined, fallback?: number): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0)
    throw new UsageError(`--${name} takes a number of seconds, 0 or more; got ${JSON.stringify(raw)}`);
  return value;
}

/** Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(tty: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  return tty && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}
