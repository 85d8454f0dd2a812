// Type-checked by scripts/check-package in a project that installed the packed
// attune-db, under `strict`, against the shipped declarations only.
import {
  AttuneDbError,
  ConflictError,
  DatabaseUnavailableError,
  ExecutionStatus,
  NotFoundError,
  ValidationError,
  createPrismaClient,
  createRepositories,
  listenNotifications,
  migrate,
  migrationStatus,
  toJson,
  type CreateExecutionInput,
  type CreatePackInput,
  type Execution,
  type Pack,
  type Page,
  type Repositories,
  type UpdatePackInput,
} from "attune-db";
import { createTestSchema, freshSchema, SchemaProvisioner, testPrisma, testSchema, type FreshSchema } from "attune-db/testing";
import { attuneDbVitest } from "attune-db/vitest";

export async function production(): Promise<string> {
  const { schema } = await migrate({ schema: "attune" });
  const prisma = createPrismaClient({ schema, queryTimeoutMs: 10_000 });
  const repos: Repositories = createRepositories(prisma);
  const input: CreatePackInput = { ref: "core", label: "Core", version: "1.0.0" };
  const pack: Pack = await repos.packs.create(input);
  const update: UpdatePackInput = { label: "Core pack" };
  await repos.packs.update(pack.id, update);
  const page: Page<Pack> = await repos.packs.list({ page: 0, perPage: 10 });
  const running: ExecutionStatus = ExecutionStatus.running;
  const execution: CreateExecutionInput = { actionRef: "core.run", status: running };
  const created: Execution = await repos.executions.create(execution);
  try {
    await repos.packs.getByRef("missing");
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof ValidationError) return error.message;
    if (error instanceof DatabaseUnavailableError && error.retryable) return "retry";
    if (error instanceof AttuneDbError) throw error;
  }
  await using listener = await listenNotifications({ schema, onNotification: (n) => console.log(n.payload.schema) });
  const status = await migrationStatus({ schema });
  await prisma.$disconnect();
  return `${toJson(page)} ${created.id} ${status.upToDate} ${listener.schema}`;
}

export async function tests(): Promise<number> {
  const { schema, url } = testSchema();
  await using fresh: FreshSchema = await freshSchema({ empty: true });
  const withClient = await freshSchema();
  await using created = await createTestSchema({ url });
  await using provisioner = await SchemaProvisioner.open({ url, poolSize: 0 });
  const config: { globalSetup: string[]; setupFiles: string[] } = attuneDbVitest();
  return (await testPrisma().pack.count()) + (await withClient.prisma.pack.count()) + schema.length + fresh.schema.length +
    created.schema.length + provisioner.poolSize + config.setupFiles.length;
}
