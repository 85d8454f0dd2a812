import { createPrismaClient } from "../../src/client/create-prisma-client.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import type { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";
import { summarize, timed, type Summary } from "./stats.ts";

export interface RepositoryOverheadResults {
  readonly bare: Summary;
  readonly repository: Summary;
  readonly bareCreate: Summary;
  readonly repositoryCreate: Summary;
}

/**
 * The same read (`findUnique` by id) and write (`create`) through the bare
 * Prisma client and through the repository, interleaved call by call so that
 * both see the same load.
 */
export async function measureRepositoryOverhead(
  provisioner: SchemaProvisioner,
  calls: number,
  log: (line: string) => void,
): Promise<RepositoryOverheadResults> {
  const schema = await provisioner.create();
  const prisma = createPrismaClient({ url: schema.url, maxConnections: 1 });
  try {
    const repos = createRepositories(prisma);
    const pack = await repos.packs.create({ ref: "bench", label: "Bench", version: "1.0.0" });
    for (let i = 0; i < 50; i++) {
      await prisma.pack.findUnique({ where: { id: pack.id } });
      await repos.packs.findById(pack.id);
    }
    log(`repository overhead: ${calls} interleaved calls of each...`);
    const bare: number[] = [];
    const repository: number[] = [];
    const bareCreate: number[] = [];
    const repositoryCreate: number[] = [];
    for (let i = 0; i < calls; i++) {
      // Which way goes first alternates: the second of a pair runs on a warmer connection and cache.
      const reads = [
        async () => bare.push(await timed(() => prisma.pack.findUnique({ where: { id: pack.id } }))),
        async () => repository.push(await timed(() => repos.packs.findById(pack.id))),
      ];
      const creates = [
        async () => bareCreate.push(await timed(() => prisma.pack.create({ data: { ref: `bare${i}`, label: "Bench", version: "1.0.0" } }))),
        async () => repositoryCreate.push(await timed(() => repos.packs.create({ ref: `repo${i}`, label: "Bench", version: "1.0.0" }))),
      ];
      for (const pair of [reads, creates]) {
        if (i % 2 === 1) pair.reverse();
        for (const run of pair) await run();
      }
    }
    return {
      bare: summarize(bare),
      repository: summarize(repository),
      bareCreate: summarize(bareCreate),
      repositoryCreate: summarize(repositoryCreate),
    };
  } finally {
    await prisma.$disconnect();
    await schema.drop();
  }
}
