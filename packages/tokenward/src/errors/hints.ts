/**
 * Says how `actual` nearly equals `expected` when it does: the classic
 * issuer mistakes (a trailing slash, http vs https, letter case, stray
 * whitespace, "www."), so a hint can name the fix. Undefined when the two
 * are simply different. `actualSide` names where `actual` came from.
 */
export function nearMiss(actual: string, expected: string, actualSide = "the token"): string | undefined {
  if (actual === expected) return undefined;
  // A loop, not /\/+$/: that regex backtracks quadratically on a long run of
  // slashes not at the end, and `actual` is an unverified iss of up to 16 KiB.
  const stripSlash = (s: string) => {
    let end = s.length;
    while (end > 0 && s.charCodeAt(end - 1) === 47) end--;
    return s.slice(0, end);
  };
  const stripScheme = (s: string) => s.replace(/^https?:\/\//i, "");
  if (actual.trim() === expected) return "differs only by surrounding whitespace";
  if (stripSlash(actual) === stripSlash(expected)) {
    return actual.endsWith("/")
      ? `differs only by a trailing slash (${actualSide} has one, the configuration does not)`
      : `differs only by a trailing slash (the configuration has one, ${actualSide} does not)`;
  }
  if (stripScheme(actual) === stripScheme(expected))
    return `differs only by scheme (${actual.split(":")[0]} in ${actualSide}, ${expected.split(":")[0]} configured)`;
  if (stripSlash(stripScheme(actual)) === stripSlash(stripScheme(expected))) return "differs by scheme and a trailing slash";
  if (actual.toLowerCase() === expected.toLowerCase()) return "differs only by letter case (issuers are compared byte for byte)";
  if (actual.replace("://www.", "://") === expected.replace("://www.", "://")) return 'differs only by "www."';
  return undefined;
}

/** A value as it may appear in a hint: quoted, and cut short so one huge claim cannot flood a log. */
export function show(value: unknown, max = 200): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    // JSON.stringify throws on nesting deeper than the stack (a 16 KiB token
    // can nest thousands of levels), and String() would throw too, or call a
    // token-chosen "toString" member: describe the value without reading it.
    text = Array.isArray(value) ? "(an array nested too deeply to show)" : `(a ${typeof value} nested too deeply to show)`;
  }
  // JSON.stringify escapes C0 controls but not DEL, the C1 controls (U+009B
  // is a one-character CSI to many terminals) or the bidirectional overrides
  // that reorder what a reader sees; hints end up in logs and terminals.
  const safe = text.replace(UNSAFE, escapeChar);
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

const UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeChar = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function list(values: readonly unknown[], max = 10): string {
  if (values.length === 0) return "(none)";
  const shown = values.slice(0, max).map((value) => show(value, 120));
  return values.length > max ? `${shown.join(", ")} and ${values.length - max} more` : shown.join(", ");
}

/** "3 min 20 s" for hints about clocks. */
export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 172800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} days`;
}
