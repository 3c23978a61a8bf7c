const BRAND = Symbol.for("tokenward.ConfigError");

/**
 * Thrown at start-up (by `createVerifier`, `fromEnv` and the presets) when the
 * configuration cannot work. `field` names the option or environment variable
 * at fault; the message says what to change.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "config_invalid" as const;
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }

  static is(value: unknown): value is ConfigError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

Object.defineProperty(ConfigError.prototype, BRAND, { value: true });
