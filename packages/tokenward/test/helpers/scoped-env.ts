/** The variables fromEnv() reads: cleared, then set, for the length of one test. */
const READ_BY_FROM_ENV = [
  "TOKENWARD_ISSUER",
  "TOKENWARD_AUDIENCE",
  "TOKENWARD_JWKS_URI",
  "TOKENWARD_ALGORITHMS",
  "TOKENWARD_CLOCK_TOLERANCE",
  "AXIOMS_ISS_URL",
  "AXIOMS_DOMAIN",
  "AXIOMS_AUDIENCE",
  "AXIOMS_JWKS_URL",
];

/**
 * Replaces the fromEnv() variables of process.env with `vars` (the others
 * unset) and returns a function that restores what was there before.
 */
export function scopedEnv(vars: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const name of new Set([...READ_BY_FROM_ENV, ...Object.keys(vars)])) {
    saved.set(name, process.env[name]);
    delete process.env[name];
  }
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Runs `body` with the fromEnv() variables set to `vars`, restoring them afterwards (also on failure). */
export async function withEnv<T>(vars: Record<string, string>, body: () => T | Promise<T>): Promise<T> {
  const restore = scopedEnv(vars);
  try {
    return await body();
  } finally {
    restore();
  }
}
