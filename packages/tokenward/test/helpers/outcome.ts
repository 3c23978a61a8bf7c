import { TokenError } from "../../src/index.js";

/** What a verification decided, in a form two verifiers' answers can be compared by value. */
export type Outcome = { readonly accepted: true; readonly claims: unknown } | { readonly accepted: false; readonly code: string; readonly hint: string };

/** Settles a verify() call into an Outcome; anything but a TokenError is rethrown. */
export async function outcome(promise: Promise<{ readonly claims: unknown }>): Promise<Outcome> {
  try {
    const verified = await promise;
    return { accepted: true, claims: verified.claims };
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    return { accepted: false, code: error.code, hint: error.hint };
  }
}
