/**
 * Where JSON.parse failed in `text`, as "line L, column C", or "" when the
 * parser did not say. Never the parser's own message: V8 quotes the text
 * around the error ('..."d":'Zk9xQ2hJd"...'), and a file given by mistake
 * (a private key, a configuration with secrets) must not reach a terminal
 * or a log that way.
 */
export function jsonErrorPosition(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position === undefined) return "";
  const before = text.slice(0, Number(position)).split("\n");
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
