import { z } from "zod";
import type { Inquiry, Prisma } from "../../prisma/generated/client.ts";
import { InquiryStatus } from "../../prisma/generated/enums.ts";
import { editableRepository, MAX_PER_PAGE, modelInput, type Id } from "./common/index.ts";
import { id, jsonInput, nullableJsonInput } from "./common/input-validation.ts";

const inquiryStatus = z.enum(InquiryStatus);

const createInput = z.object({
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
export type CreateInquiryInput = z.input<typeof createInput>;

const updateInput = createInput.pick({ status: true, response: true, respondedAt: true, assignedToId: true }).partial();
export type UpdateInquiryInput = z.input<typeof updateInput>;

const respondInput = modelInput("inquiry", "update", z.object({ response: jsonInput }));

/** Inquiries: human-in-the-loop questions attached to an execution. Listed newest first (at most 1000 from the finders). */
export class InquiryRepository extends editableRepository({ model: "inquiry", create: createInput, update: updateInput }) {
  async findByStatus(status: InquiryStatus): Promise<Inquiry[]> {
    return this.findWhere(this.parse(z.object({ status: inquiryStatus }), { status }), MAX_PER_PAGE);
  }

  async findByExecution(executionId: Id): Promise<Inquiry[]> {
    return this.findWhere({ executionId: this.toId(executionId, "executionId") }, MAX_PER_PAGE);
  }

  /** Records the answer: status `responded`, the response, and `respondedAt` = now, in one update. */
  async respond(id: Id, response: Prisma.InputJsonValue): Promise<Inquiry> {
    const data = this.parse(respondInput, { response });
    return this.db.inquiry.update({
      where: { id: this.toId(id) },
      data: { status: InquiryStatus.responded, response: data.response, respondedAt: new Date() },
    });
  }
}
