// Prisma 7 reads the datasource URL for its CLI (`prisma migrate deploy`, `status`, `diff`) from
// here, no longer from schema.prisma. The URL and the schema come from attune-db's own
// configuration (DATABASE_URL, ATTUNE_DB_SCHEMA, .env; the environment wins), so that Prisma migrates
// the schema attune-db would use: Prisma selects it by the URL's ?schema=, which is set here even
// when only ATTUNE_DB_SCHEMA names it. Without DATABASE_URL there is no datasource: `prisma generate`
// needs none, and the migrate commands say that the URL is missing.
import { defineConfig } from "prisma/config";
import { withSchema } from "./src/config/datasource-url.ts";
import { loadDatabaseConfig } from "./src/config/load-database-config.ts";

const config = loadDatabaseConfig();

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(config.url !== undefined && { datasource: { url: withSchema(config.url, config.schema) } }),
});
