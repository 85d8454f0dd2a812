import { AttuneDbError } from "./attune-db-error.ts";

/** The demo (`npm start`, `attune-db demo`) ran, but what it shows did not happen. */
export class DemoError extends AttuneDbError {
  constructor(
    message: string,
    /** The step that fell short, e.g. `notifications`. */
    readonly step: string,
  ) {
    super(message);
  }
}
