import { type Io, UsageError } from "../io.js";

/**
 * The --jwks option of a diagnosis: a URL, fetched later under the URL
 * policy, or a file read now. A file that cannot be read or is not JSON is a
 * usage error (exit 2), as for `tokenward verify`; one that is JSON but not
 * a JWK Set is a finding of the diagnosis.
 */
export async function readJwksOption(io: Io, value: string | undefined): Promise<{ url: string } | { file: string; document: unknown } | undefined> {
  if (value === undefined) return undefined;
  if (/^https?:\/\//i.test(value)) return { url: value };
  let text: string;
  try {
    text = await io.readFile(value);
  } catch (error) {
    throw new UsageError(
      `--jwks ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)}); give an https URL or a path to a JWKS JSON file`,
    );
  }
  try {
    return { file: value, document: JSON.parse(text) as unknown };
  } catch {
    throw new UsageError(`--jwks ${value}: the file is not JSON; it must hold a JWK Set, {"keys": [...]}`);
  }
}
