import { customAlphabet } from "nanoid";

/** Identifies one test run (all its workers): labels the schemas it creates. */
export const generateRunId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 12);
