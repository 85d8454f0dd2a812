import type { z } from "zod";
import { NotFoundError } from "../../errors/not-found-error.ts";
import type { DbClient } from "./db-client.ts";
import { toId, type Id } from "./ids.ts";
import { parseInput } from "./input-validation.ts";
import type { Fits } from "./model-input.ts";
import { tableName, type CreateData, type ModelKey, type OrderBy, type Row, type UniqueWhere, type Where } from "./model-types.ts";
import { NEWEST_FIRST } from "./orders.ts";
import { paginate, type Page, type PageRequest } from "./pagination.ts";
import { withErrorMapping } from "./with-error-mapping.ts";

/** What a repository says about its model for the shared operations. */
export interface ModelSpec<K extends ModelKey, Create extends z.ZodType> {
  /** The Prisma model, e.g. `"pack"`; errors name its table (`pack`). */
  readonly model: K;
  /** The order of `list()` and of the finders. Default is newest first (`created`, then `id`; every table has both), by ref for a catalogue. */
  readonly order?: OrderBy<K>;
  /** The input of `create()`; its output must fit Prisma's create data key for key (checked by tsc). */
  readonly create: Create & Fits<z.output<Create>, CreateData<K>>;
}

/**
 * The operations every model shares, in the loose form that can be called
 * for any `K` (Prisma's per-model overloads cannot be called through a type
 * parameter); the typed helpers below are what build the arguments.
 */
interface Rows<K extends ModelKey> {
  findUnique(args: { where: object }): Promise<Row<K> | null>;
  findMany(args: object): Promise<Row<K>[]>;
  count(args?: object): Promise<number>;
  create(args: { data: unknown }): Promise<Row<K>>;
  update(args: { where: object; data: unknown }): Promise<Row<K>>;
  deleteMany(args: { where: object }): Promise<{ count: number }>;
}

/**
 * What every attune repository of an `id`-keyed table shares; a missing row is a {@link NotFoundError} from the
 * `get*` methods, null from the `find*` ones. Every query's database errors are mapped once, in `db` (see `withErrorMapping`).
 */
export abstract class ModelRepository<K extends ModelKey, Create extends z.ZodType> {
  /** The table, as errors name it (`pack_test_execution`). */
  protected readonly entity: string;
  /** The client (or transaction) with every query's errors mapped. */
  protected readonly db: DbClient;

  constructor(
    db: DbClient,
    private readonly spec: ModelSpec<K, Create>,
  ) {
    this.entity = tableName(spec.model);
    this.db = withErrorMapping(db, this.entity);
  }

  async findById(id: Id): Promise<Row<K> | null> {
    return this.rows.findUnique({ where: { id: this.toId(id) } });
  }

  async getById(id: Id): Promise<Row<K>> {
    const key = { id: this.toId(id) };
    return (await this.rows.findUnique({ where: key })) ?? this.notFound(key);
  }

  /** One page of rows in the model's order, with the total. */
  async list(page?: PageRequest): Promise<Page<Row<K>>> {
    return this.pageOf({}, page);
  }

  async count(): Promise<number> {
    return this.rows.count();
  }

  async create(input: z.input<Create>): Promise<Row<K>> {
    return this.rows.create({ data: this.parse(this.spec.create, input) });
  }

  /** Returns whether a row was deleted; what else goes with it (or refuses it) is said on each repository. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await this.rows.deleteMany({ where: { id: this.toId(id) } });
    return count > 0;
  }

  /** The order when the spec names none. */
  protected get defaultOrder(): object {
    return NEWEST_FIRST;
  }

  /** The model's operations on the mapped client. */
  protected get rows(): Rows<K> {
    return (this.db as unknown as Record<ModelKey, Rows<K>>)[this.spec.model];
  }

  protected async findUnique(where: UniqueWhere<K>): Promise<Row<K> | null> {
    return this.rows.findUnique({ where });
  }

  /** The row at a unique key, or {@link NotFoundError} naming that key. */
  protected async getUnique(where: UniqueWhere<K> & Record<string, unknown>): Promise<Row<K>> {
    return (await this.rows.findUnique({ where })) ?? this.notFound(where);
  }

  /** The rows matching `where` (no key the model lacks), in the model's order; at most `take` when given. */
  protected async findWhere<W extends Where<K>>(where: W & Fits<W, Where<K>>, take?: number): Promise<Row<K>[]> {
    return this.rows.findMany({ where, orderBy: this.spec.order ?? this.defaultOrder, take });
  }

  /** One page of the rows matching `where` (no key the model lacks), in the model's order, with their total. */
  protected async page<W extends Where<K>>(where: W & Fits<W, Where<K>>, request?: PageRequest): Promise<Page<Row<K>>> {
    return this.pageOf(where, request);
  }

  private async pageOf(where: object, request: PageRequest | undefined): Promise<Page<Row<K>>> {
    return paginate(
      this.entity,
      request,
      (window) => this.rows.findMany({ where, orderBy: this.spec.order ?? this.defaultOrder, ...window }),
      () => this.rows.count({ where }),
    );
  }

  /** `input` parsed by `schema`, or a ValidationError naming every bad field. */
  protected parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseInput(this.entity, schema, input);
  }

  /** `value` as an id, or a ValidationError naming `field`. */
  protected toId(value: Id, field?: string): bigint {
    return toId(this.entity, value, field);
  }

  protected notFound(key: Readonly<Record<string, unknown>>): never {
    throw new NotFoundError(this.entity, key);
  }
}

/** The {@link ModelRepository} class of `spec`, for a repository to extend with what is particular to its model. */
export const modelRepository = <K extends ModelKey, Create extends z.ZodType>(spec: ModelSpec<K, Create>) =>
  bindSpec(ModelRepository<K, Create>, spec);

/** `Repository` with its spec given: what `modelRepository` and the like return. */
export function bindSpec<Spec, R>(Repository: abstract new (db: DbClient, spec: Spec) => R, spec: Spec): new (db: DbClient) => R {
  const Base = Repository as unknown as new (db: DbClient, spec: Spec) => object;
  return class extends Base {
    constructor(db: DbClient) {
      super(db, spec);
    }
  } as new (db: DbClient) => R;
}
