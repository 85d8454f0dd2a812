import { customAlphabet } from "nanoid";
import { validateSchemaName } from "../schema/schema-name.ts";

/** The seed's convention: every test schema starts with this. */
export const TEST_SCHEMA_PREFIX = "test_";

// 36^10 ≈ 3.7e15 names: collisions are not a practical concern.
const randomId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 10);

/** A fresh, valid, unique test schema name such as `test_k3x9q0a2mz`. */
export function generateTestSchemaName(prefix: string = TEST_SCHEMA_PREFIX): string {
  return validateSchemaName(`${prefix}${randomId()}`);
}
