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

/**
 * What a terminal acts on or a reader is misled by: C0 controls but tab and
 * line feed, DEL, the C1 controls (U+009B is a one-character CSI), the line
 * separators, and the bidirectional overrides.
 */
function unsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Output of a diagnosis as it is written, escaped as a last line of defence:
 * remote documents and tokens reach it through many messages (hints, fetch
 * errors), and one raw ESC or CSI would let a server drive the operator's
 * terminal. `\uXXXX` keeps the JSON output valid JSON, with the same value.
 */
export function printable(text: string): string {
  let out = "";
  let from = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!unsafe(code)) continue;
    out += `${text.slice(from, index)}\\u${code.toString(16).padStart(4, "0")}`;
    from = index + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
