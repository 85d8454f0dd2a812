import { ForeignKeyError, NotFoundError, ValidationError } from "../../src/index.ts";
import { InquiryRepository } from "../../src/repositories/inquiry.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { newExecution, newIdentity } from "./fixtures/run-time-fixtures.ts";

const inquiries = () => new InquiryRepository(testPrisma());
const newInquiry = async (over: Record<string, unknown> = {}) =>
  inquiries().create({ executionId: (await newExecution()).id, prompt: "Proceed?", ...over });

describe("InquiryRepository", () => {
  it("creates an inquiry with the database defaults and finds it by id", async () => {
    const execution = await newExecution();
    const identity = await newIdentity();
    const timeoutAt = new Date("2030-01-01T00:00:00Z");
    const inquiry = await inquiries().create({
      executionId: execution.id, prompt: "Deploy?", responseSchema: { type: "boolean" }, assignedToId: identity.id, timeoutAt,
    });
    expect(inquiry).toMatchObject({
      executionId: execution.id, prompt: "Deploy?", responseSchema: { type: "boolean" }, assignedToId: identity.id, status: "pending",
      response: null, timeoutAt, respondedAt: null,
    });
    expect(await inquiries().findById(inquiry.id)).toEqual(inquiry);
    expect(await inquiries().getById(inquiry.id)).toEqual(inquiry);
  });

  it("respond to a missing inquiry is a NotFoundError", async () => {
    await expect(inquiries().respond(987654n, { ok: true })).rejects.toThrow(new NotFoundError("inquiry", { id: 987654n }));
  });

  it("validates input before the database, naming the field", async () => {
    const error = await inquiries()
      .create({ executionId: undefined as never, prompt: "", status: "open" as never, timeoutAt: "tomorrow" as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["executionId", "prompt", "status", "timeoutAt"]);
    await expect(inquiries().respond(1n, undefined as never)).rejects.toThrow(/Invalid inquiry: response/);
    await expect(inquiries().findByStatus("open" as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it("reports a missing execution or identity as ForeignKeyError naming the relation", async () => {
    await expect(inquiries().create({ executionId: 987654n, prompt: "?" })).rejects.toMatchObject({
      constructor: ForeignKeyError, kind: "missing", relation: "inquiry.execution -> execution",
    });
    const inquiry = await newInquiry();
    await expect(inquiries().update(inquiry.id, { assignedToId: 987654n })).rejects.toMatchObject({
      kind: "missing", relation: "inquiry.assigned_to -> identity",
    });
  });

  it("updates only status, response, respondedAt and assignedToId; `updated` moves on update", async () => {
    const identity = await newIdentity();
    const inquiry = await newInquiry({ responseSchema: { type: "object" } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await inquiries().update(inquiry.id, { assignedToId: identity.id, status: "timeout" });
    expect(updated).toMatchObject({ assignedToId: identity.id, status: "timeout", prompt: "Proceed?", responseSchema: { type: "object" } });
    expect(updated.updated.getTime()).toBeGreaterThan(inquiry.updated.getTime());
    const at = new Date("2026-01-01T12:00:00Z");
    expect(await inquiries().update(inquiry.id, { response: { a: 1 }, respondedAt: at, assignedToId: null })).toMatchObject({
      response: { a: 1 }, respondedAt: at, assignedToId: null, status: "timeout",
    });
    // The assignee's deletion sets assigned_to to NULL.
    await inquiries().update(inquiry.id, { assignedToId: identity.id });
    await testPrisma().identity.delete({ where: { id: identity.id } });
    expect((await inquiries().getById(inquiry.id)).assignedToId).toBeNull();
  });

  it("respond sets the response, status responded and respondedAt now, in one update", async () => {
    const inquiry = await newInquiry();
    const answered = await inquiries().respond(inquiry.id, { approved: true });
    expect(answered).toMatchObject({ status: "responded", response: { approved: true }, prompt: "Proceed?" });
    expect(answered.respondedAt).not.toBeNull();
    expect(Number.isNaN(answered.respondedAt!.getTime())).toBe(false);
    expect(await inquiries().getById(inquiry.id)).toEqual(answered);
  });

  it("finds by status and by execution, newest first", async () => {
    const execution = await newExecution();
    const first = await inquiries().create({ executionId: execution.id, prompt: "1", status: "cancelled" });
    const second = await inquiries().create({ executionId: execution.id, prompt: "2" });
    await newInquiry();
    expect((await inquiries().findByExecution(execution.id)).map((i) => i.id)).toEqual([second.id, first.id]);
    const cancelled = await inquiries().findByStatus("cancelled");
    expect(cancelled.map((i) => i.id)).toContain(first.id);
    expect(cancelled.every((i) => i.status === "cancelled")).toBe(true);
  });

  it("deletes an inquiry; deleting its execution deletes it too", async () => {
    const inquiry = await newInquiry();
    expect(await inquiries().delete(inquiry.id)).toBe(true);
    expect(await inquiries().findById(inquiry.id)).toBeNull();
    const cascaded = await newInquiry();
    await testPrisma().execution.delete({ where: { id: cascaded.executionId } });
    expect(await inquiries().findById(cascaded.id)).toBeNull();
  });
});
