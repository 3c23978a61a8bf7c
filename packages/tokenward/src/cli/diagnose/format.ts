import { show } from "../../errors/hints.js";

/**
 * A value from the network or a token, fit for a terminal: JSON-escaped (no
 * control characters, so no escape sequences reach the screen) and cut
 * short, without the quotes `show` adds to strings.
 */
export function bare(value: unknown, max = 120): string {
  const shown = show(value, max);
  return typeof value === "string" ? shown.replace(/^"/, "").replace(/"$/, "") : shown;
}

/** "3 s ahead of ours", "2 min 5 s behind ours", "the same as ours". */
export function skewWords(seconds: number): string {
  if (seconds === 0) return "the same as ours";
  const size = Math.abs(seconds);
  const amount = size < 120 ? `${size} s` : size < 7200 ? `${Math.floor(size / 60)} min ${size % 60} s` : `${Math.round(size / 3600)} h`;
  return `${amount} ${seconds > 0 ? "ahead of" : "behind"} ours`;
}
