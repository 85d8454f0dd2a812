import { z } from "zod";
import type { Worker } from "../../prisma/generated/client.ts";
import { WorkerStatus, WorkerType } from "../../prisma/generated/enums.ts";
import { editableRepository, inTransaction, type Id, type TransactionOptions } from "./common/index.ts";
import { id, indexedText, nullableJsonInput } from "./common/input-validation.ts";

const createInput = z.object({
  name: indexedText.min(1),
  workerType: z.enum(WorkerType),
  runtimeId: id.nullish(),
  host: z.string().min(1).nullish(),
  /** CHECK worker_port_range. */
  port: z.number().int().min(1).max(65535).nullish(),
  status: z.enum(WorkerStatus).optional(),
  capabilities: nullableJsonInput.optional(),
  meta: nullableJsonInput.optional(),
});
/** Status defaults to `inactive`; an unknown `runtimeId` is a ForeignKeyError (`worker.runtime -> runtime`). */
export type CreateWorkerInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ name: true, status: true, capabilities: true, meta: true, host: true, port: true }).partial();
export type UpdateWorkerInput = z.input<typeof updateInput>;

/**
 * Workers: processes that execute actions. Listed by name (names are not
 * unique; ties are broken by id). Nothing references workers.
 *
 * The Rust repository's `find_action_workers` is deliberately absent: it
 * filters on `worker.worker_role`, a column added after the schema this
 * library targets (migration 20260131000001_add_worker_role).
 */
export class WorkerRepository extends editableRepository({
  model: "worker",
  order: [{ name: "asc" }, { id: "asc" }],
  create: createInput,
  update: updateInput,
}) {
  async findByStatus(status: WorkerStatus): Promise<Worker[]> {
    return this.findWhere(this.parse(z.object({ status: z.enum(WorkerStatus) }), { status }));
  }

  async findByType(workerType: WorkerType): Promise<Worker[]> {
    return this.findWhere(this.parse(z.object({ workerType: z.enum(WorkerType) }), { workerType }));
  }

  /** Workers called `name` (names are not unique), by id. */
  async findByName(name: string): Promise<Worker[]> {
    return this.findWhere({ name });
  }

  /**
   * Records a heartbeat: `last_heartbeat = now()` on the database clock (the
   * same instant the `updated` trigger uses), and returns the worker.
   * NotFoundError for an unknown id.
   */
  async updateHeartbeat(id: Id, options?: TransactionOptions): Promise<Worker> {
    const key = { id: this.toId(id) };
    return inTransaction(this.db, async (tx) => {
      const count = await tx.$executeRaw`UPDATE worker SET last_heartbeat = now() WHERE id = ${key.id}`;
      if (count === 0) this.notFound(key);
      return (await tx.worker.findUnique({ where: key })) ?? this.notFound(key);
    }, options);
  }
}
