import { AttuneDbError } from "./attune-db-error.ts";

/** A helper of `attune-db/testing` was used where attune-db's test integration has not set the file up. */
export class TestIntegrationError extends AttuneDbError {}
