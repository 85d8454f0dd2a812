import { checkIsolation } from "../support/isolation-check.ts";

checkIsolation(__filename);
