// Why `tokenward mint` printed no token. `exit` follows CONTRACT.md: 2 for what
// the operator fixes in the arguments or the configuration, 1 for a failure.
// Messages name files, clients and kids, never key material.

export class MintError extends Error {
  override readonly name = "MintError";
  readonly exit: 1 | 2;
  /** Show the usage after the message (a wrong or missing option). */
  readonly usage: boolean;

  constructor(message: string, options: { exit?: 1 | 2; usage?: boolean } = {}) {
    super(message);
    this.exit = options.exit ?? 2;
    this.usage = options.usage ?? false;
  }
}
