import { AttuneDbError } from "./attune-db-error.ts";

/**
 * A migration failed to apply, or the recorded history does not fit the
 * migrations folder. The failing migration was rolled back and not recorded.
 */
export class MigrationError extends AttuneDbError {
  /** 1-based line in the migration's `migration.sql` where the failing statement starts, when known. */
  readonly line?: number;

  constructor(
    message: string,
    readonly schema: string,
    readonly migration?: string,
    readonly statement?: string,
    options?: { cause?: unknown; line?: number },
  ) {
    super(message, options);
    if (options?.line !== undefined) this.line = options.line;
  }
}
