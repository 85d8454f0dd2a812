import { RESERVED_SCHEMA_NAMES } from "../../src/schema/reserved-words.ts";
import { withClient } from "../support/pg.ts";

/** Reserved in a newer PostgreSQL than some servers the suite runs on (15 lacks `system_user`, reserved since 16). */
const NEWER_THAN_SOME_SERVERS = ["system_user"];

it("holds every key word the server reserves (pg_get_keywords, catcode R), and nothing else but system schemas", async () => {
  const reserved = await withClient(async (client) => {
    const { rows } = await client.query<{ word: string }>("SELECT word FROM pg_get_keywords() WHERE catcode = 'R'");
    return rows.map((row) => row.word);
  });
  expect(reserved.filter((word) => !RESERVED_SCHEMA_NAMES.has(word))).toEqual([]);
  const notReservedHere = [...RESERVED_SCHEMA_NAMES].filter((word) => !reserved.includes(word));
  expect(notReservedHere.filter((word) => !NEWER_THAN_SOME_SERVERS.includes(word))).toEqual(["information_schema"]);
});
