import { z } from "zod";
import type { Prisma, Worker } from "../../prisma/generated/client.ts";
import { WorkerStatus, WorkerType } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import { inTransaction, type DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "worker";

const createWorkerInput = z.object({
  name: z.string().min(1),
  workerType: z.enum(WorkerType),
  runtimeId: id.nullish(),
  host: z.string().min(1).nullish(),
  /** CHECK worker_port_range. */
  port: z.number().int().min(1).max(65535).nullish(),
  status: z.enum(WorkerStatus).optional(),
  capabilities: nullableJsonInput.optional(),
  meta: nullableJsonInput.optional(),
});
export type CreateWorkerInput = z.input<typeof createWorkerInput>;

const updateWorkerInput = createWorkerInput
  .pick({ name: true, status: true, capabilities: true, meta: true, host: true, port: true })
  .partial();
export type UpdateWorkerInput = z.input<typeof updateWorkerInput>;

/**
 * Workers: processes that execute actions. Listed by name (names are not
 * unique; ties are broken by id).
 *
 * The Rust repository's `find_action_workers` is deliberately absent: it
 * filters on `worker.worker_role`, a column added after the schema this
 * library targets (migration 20260131000001_add_worker_role).
 */
export class WorkerRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Worker | null> {
    return mapErrors(ENTITY, () => this.db.worker.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Worker> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of workers, ordered by name, then id. */
  async list(page?: PageRequest): Promise<Page<Worker>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.worker.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }], ...window }),
      () => this.db.worker.count(),
    );
  }

  /** Creates a worker (status defaults to `inactive`); an unknown `runtimeId` is a {@link ForeignKeyError} (`worker.runtime -> runtime`). */
  async create(input: CreateWorkerInput): Promise<Worker> {
    const data = parseInput(ENTITY, createWorkerInput, input);
    return mapErrors(ENTITY, () => this.db.worker.create({ data: data as Prisma.WorkerUncheckedCreateInput }));
  }

  /** Changes only the given fields of name, status, capabilities, meta, host and port (`updated` is set by the database). */
  async update(id: Id, input: UpdateWorkerInput): Promise<Worker> {
    const data = parseInput(ENTITY, updateWorkerInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.worker.update({ where: { id: toId(id) }, data: data as Prisma.WorkerUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the worker (nothing references workers). Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.worker.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Workers in `status`, by name. */
  async findByStatus(status: WorkerStatus): Promise<Worker[]> {
    const valid = parseInput(ENTITY, z.object({ status: z.enum(WorkerStatus) }), { status }).status;
    return mapErrors(ENTITY, () =>
      this.db.worker.findMany({ where: { status: valid }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    );
  }

  /** Workers of `workerType`, by name. */
  async findByType(workerType: WorkerType): Promise<Worker[]> {
    const valid = parseInput(ENTITY, z.object({ workerType: z.enum(WorkerType) }), { workerType }).workerType;
    return mapErrors(ENTITY, () =>
      this.db.worker.findMany({ where: { workerType: valid }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    );
  }

  /** Workers called `name` (names are not unique), by id. */
  async findByName(name: string): Promise<Worker[]> {
    return mapErrors(ENTITY, () => this.db.worker.findMany({ where: { name }, orderBy: { id: "asc" } }));
  }

  /**
   * Records a heartbeat: `last_heartbeat = now()` on the database clock (the
   * same instant the `updated` trigger uses), and returns the worker.
   * {@link NotFoundError} for an unknown id.
   */
  async updateHeartbeat(id: Id): Promise<Worker> {
    const key = { id: toId(id) };
    return inTransaction(this.db, async (tx) => {
      const count = await mapErrors(ENTITY, () => tx.$executeRaw`UPDATE worker SET last_heartbeat = now() WHERE id = ${key.id}`, key);
      if (count === 0) notFound(key);
      return (await tx.worker.findUnique({ where: key })) ?? notFound(key);
    });
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
