// How the Redis store names its server in errors: the URL without its
// password (a URL's password, or a `password` query parameter ioredis also
// reads, must never reach a log), plus the secrets to scrub from any text.

export interface RedisAddress {
  /** For messages: scheme, user, host, port and database; "***" where a password was. */
  readonly shown: string;
  /** Secrets that must not appear in any message (decoded and as written in the URL). */
  readonly secrets: readonly string[];
}

/** Parses a redis:// or rediss:// URL; throws a TypeError (that never repeats the URL) for anything else. */
export function redisAddress(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError("Redis store: the url (store.url) is not a valid URL; expected redis://[[user]:password@]host[:port][/db]");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(`Redis store: the url (store.url) must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const secrets = new Set<string>();
  const add = (secret: string) => {
    if (secret === "") return;
    secrets.add(secret);
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // Not percent-encoded: the raw form is already listed.
    }
  };
  add(parsed.password);
  for (const [name, value] of parsed.searchParams) if (name.toLowerCase().includes("pass")) add(value);
  const user = parsed.username === "" && parsed.password === "" ? "" : `${parsed.username}${parsed.password === "" ? "" : ":***"}@`;
  // The query is left out: ioredis reads options (a password among them) from it.
  const shown = `${parsed.protocol}//${user}${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  return { shown, secrets: [...secrets].sort((a, b) => b.length - a.length) };
}

/** `text` with every secret replaced by "***" (longest first, so a secret containing another is caught whole). */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join("***");
  return result;
}
