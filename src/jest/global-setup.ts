import { useDatabaseServer, type DatabaseServer } from "../embedded/database-server.ts";

declare global {
  // eslint-disable-next-line no-var
  var __attuneDbServer: DatabaseServer | undefined;
}

/** Jest globalSetup: a database server for the whole run (embedded when DATABASE_URL is unset). */
export default async function globalSetup(): Promise<void> {
  const server = await useDatabaseServer({ log: (line) => console.log(`\n[attune-db] ${line}`) });
  globalThis.__attuneDbServer = server;
  process.env.DATABASE_URL = server.url;
}
