import { AttuneDbError } from "./attune-db-error.ts";

/** A configuration value (environment, .env, option) is missing or invalid. */
export class ConfigError extends AttuneDbError {
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}
