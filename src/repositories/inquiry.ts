import { z } from "zod";
import type { Inquiry, Prisma } from "../../prisma/generated/client.ts";
import { InquiryStatus } from "../../prisma/generated/enums.ts";
import { NotFoundError } from "../errors/not-found-error.ts";
import type { DbClient } from "./common/db-client.ts";
import { toId, type Id } from "./common/ids.ts";
import { id, parseInput } from "./common/input-validation.ts";
import { jsonInput, nullableJsonInput } from "./common/json-input.ts";
import { mapErrors } from "./common/map-database-error.ts";
import { MAX_PER_PAGE, paginate, type Page, type PageRequest } from "./common/pagination.ts";

const ENTITY = "inquiry";

/** Newest first; `id` breaks ties between rows created in the same transaction. */
const NEWEST_FIRST: Prisma.InquiryOrderByWithRelationInput[] = [{ created: "desc" }, { id: "desc" }];

const inquiryStatus = z.enum(InquiryStatus);

const createInquiryInput = z.object({
  /** The execution waiting for the answer; deleting it deletes the inquiry (ON DELETE CASCADE). */
  executionId: id,
  prompt: z.string().min(1),
  /** JSON Schema the response is expected to follow (not checked here). */
  responseSchema: nullableJsonInput.optional(),
  /** The identity asked; null once that identity is deleted (ON DELETE SET NULL). */
  assignedToId: id.nullish(),
  status: inquiryStatus.optional(),
  response: nullableJsonInput.optional(),
  timeoutAt: z.date().nullish(),
  respondedAt: z.date().nullish(),
});
export type CreateInquiryInput = z.input<typeof createInquiryInput>;

const updateInquiryInput = createInquiryInput
  .pick({ status: true, response: true, respondedAt: true, assignedToId: true })
  .partial();
export type UpdateInquiryInput = z.input<typeof updateInquiryInput>;

const respondInput = z.object({ response: jsonInput });

/** Inquiries: human-in-the-loop questions attached to an execution. Listed newest first. */
export class InquiryRepository {
  constructor(private readonly db: DbClient) {}

  async findById(id: Id): Promise<Inquiry | null> {
    return mapErrors(ENTITY, () => this.db.inquiry.findUnique({ where: { id: toId(id) } }));
  }

  async getById(id: Id): Promise<Inquiry> {
    return (await this.findById(id)) ?? notFound({ id: toId(id) });
  }

  /** One page of inquiries, newest first. */
  async list(page?: PageRequest): Promise<Page<Inquiry>> {
    return paginate(
      ENTITY,
      page,
      (window) => this.db.inquiry.findMany({ orderBy: NEWEST_FIRST, ...window }),
      () => this.db.inquiry.count(),
    );
  }

  async create(input: CreateInquiryInput): Promise<Inquiry> {
    const data = parseInput(ENTITY, createInquiryInput, input);
    return mapErrors(ENTITY, () => this.db.inquiry.create({ data: data as Prisma.InquiryUncheckedCreateInput }));
  }

  /** Changes only the given fields (status, response, respondedAt, assignedToId); `updated` is set by the database. */
  async update(id: Id, input: UpdateInquiryInput): Promise<Inquiry> {
    const data = parseInput(ENTITY, updateInquiryInput, input);
    return mapErrors(
      ENTITY,
      () => this.db.inquiry.update({ where: { id: toId(id) }, data: data as Prisma.InquiryUncheckedUpdateInput }),
      { id: toId(id) },
    );
  }

  /** Deletes the inquiry. Returns whether a row was deleted. */
  async delete(id: Id): Promise<boolean> {
    const { count } = await mapErrors(ENTITY, () => this.db.inquiry.deleteMany({ where: { id: toId(id) } }));
    return count > 0;
  }

  /** Inquiries in `status`, newest first (at most 1000). */
  async findByStatus(status: InquiryStatus): Promise<Inquiry[]> {
    const where = parseInput(ENTITY, z.object({ status: inquiryStatus }), { status });
    return this.db.inquiry.findMany({ where, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** The execution's inquiries, newest first (at most 1000). */
  async findByExecution(executionId: Id): Promise<Inquiry[]> {
    return this.db.inquiry.findMany({ where: { executionId: toId(executionId) }, orderBy: NEWEST_FIRST, take: MAX_PER_PAGE });
  }

  /** Records the answer: status `responded`, the response, and `respondedAt` = now, in one update. */
  async respond(id: Id, response: Prisma.InputJsonValue): Promise<Inquiry> {
    const data = parseInput(ENTITY, respondInput, { response });
    return mapErrors(
      ENTITY,
      () =>
        this.db.inquiry.update({
          where: { id: toId(id) },
          data: { status: InquiryStatus.responded, response: data.response, respondedAt: new Date() },
        }),
      { id: toId(id) },
    );
  }
}

function notFound(key: Record<string, unknown>): never {
  throw new NotFoundError(ENTITY, key);
}
