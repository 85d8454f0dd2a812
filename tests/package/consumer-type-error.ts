// Must NOT type-check (scripts/check-package expects tsc to fail on it, naming the wrong field).
import { createPrismaClient, createRepositories } from "attune-db";

export async function wrongField(): Promise<void> {
  const repos = createRepositories(createPrismaClient());
  await repos.packs.create({ ref: "core", lable: "Core", version: "1.0.0" });
}
