export interface ConfigProblem {
  /** Where, as a path into the configuration: `clients[1].audiences[0]`. */
  readonly path: string;
  /** What is wrong and what to write instead. Never a secret value. */
  readonly message: string;
}

/** Thrown by resolveConfig with every problem of a configuration at once, so one edit can fix them all. */
export class IssuerConfigError extends Error {
  override readonly name = "IssuerConfigError";
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`the issuer configuration has ${count}:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join("\n")}`);
    this.problems = problems;
  }
}
