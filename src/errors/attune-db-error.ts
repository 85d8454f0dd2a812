/**
 * Base class of every error attune-db throws on purpose, so callers can tell
 * "our" failures from anything else with one `instanceof`.
 */
export class AttuneDbError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
