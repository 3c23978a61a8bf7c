// The issuer's commands run inside the `tokenward` command line
// (packages/tokenward/src/cli/run.ts imports @tokenward/issuer/cli on demand).
// Exit codes follow CONTRACT.md: 0 ok, 1 failed, 2 usage or configuration error.

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves relative paths (config files, key directories). */
  readonly cwd: string;
  /** Standard input as text, for arguments given as `-`; when absent, commands read process.stdin. */
  readonly stdin?: () => Promise<string>;
}

export interface IssuerCommand {
  readonly summary: string;
  readonly usage: string;
  /** Resolves with the exit status once the command is done (for `serve`: once the server has stopped). */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}
