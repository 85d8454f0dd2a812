// Input the database would refuse, or Prisma would mangle on the way, is a
// ValidationError naming the field: found before sending where the repository
// can tell, and worked out from the database's error where it cannot.
import { randomBytes } from "node:crypto";
import { DatabaseError, ValidationError } from "../../src/index.ts";
import { MAX_JSON_DEPTH } from "../../src/json/find-unstorable-values.ts";
import { createRepositories } from "../../src/repositories/create-repositories.ts";
import { withErrorMapping } from "../../src/repositories/common/with-error-mapping.ts";
import { testPrisma } from "../../src/testing/index.ts";

const repos = () => createRepositories(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const pack = (over: Record<string, unknown> = {}) => ({ ref: unique("lim"), label: "L", version: "1.0.0", ...over });
/** Text that does not compress: the database's index limits apply to the compressed size. */
const incompressible = (bytes: number) => randomBytes(bytes).toString("base64url").slice(0, bytes);
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** The ValidationError a call fails with, checked to be one, to name no Prisma source line and to carry no newline. */
async function validationError(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).not.toMatch(/\n|invocation/);
  return error as ValidationError;
}

it("refuses NUL characters in text and in JSON, naming the field", async () => {
  expect((await validationError(repos().packs.create(pack({ label: "a\u0000b" })))).issues).toEqual([
    { field: "label", message: expect.stringMatching(/NUL/) },
  ]);
  expect((await validationError(repos().packs.create(pack({ meta: { notes: ["ok", "x\u0000"] } })))).issues).toEqual([
    { field: "meta.notes.1", message: expect.stringMatching(/NUL/) },
  ]);
  expect((await validationError(repos().packs.create(pack({ meta: { "k\u0000": 1 } })))).issues[0]?.field).toBe("meta.k\u0000");
});

it("refuses a __proto__ key rather than dropping it silently", async () => {
  const meta = JSON.parse('{"__proto__": {"admin": true}, "kept": 1}') as Record<string, unknown>;
  expect((await validationError(repos().packs.create(pack({ meta })))).issues).toEqual([
    { field: "meta.__proto__", message: expect.stringMatching(/__proto__/) },
  ]);
});

it(`stores JSON nested ${MAX_JSON_DEPTH} levels deep and refuses deeper (Prisma's serializer would overflow the stack)`, async () => {
  const stored = await repos().packs.create(pack({ meta: nested(MAX_JSON_DEPTH - 1) }));
  expect(JSON.stringify(stored.meta).length).toBe(2 * (MAX_JSON_DEPTH - 1) + 1);
  const error = await validationError(repos().packs.create(pack({ meta: nested(5_000) })));
  expect(error.issues[0]).toEqual({ field: expect.stringMatching(/^meta(\.0)+$/), message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
});

it("refuses dates PostgreSQL or Prisma cannot round-trip, and stores years 0001 to 9999", async () => {
  const execution = await repos().executions.create({ actionRef: "core.a" });
  for (const timeoutAt of [new Date(8.64e15), new Date("+010000-01-01T00:00:00Z"), new Date("0000-06-01T00:00:00Z"), new Date(Number.NaN)]) {
    const error = await validationError(repos().inquiries.create({ executionId: execution.id, prompt: "p", timeoutAt }));
    expect(error.issues).toEqual([{ field: "timeoutAt", message: expect.stringMatching(/date/) }]);
  }
  for (const iso of ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"]) {
    const inquiry = await repos().inquiries.create({ executionId: execution.id, prompt: "p", timeoutAt: new Date(iso) });
    expect((await repos().inquiries.getById(inquiry.id)).timeoutAt?.toISOString()).toBe(iso);
  }
});

it("refuses bigints outside BIGINT and ids that are not positive safe integers", async () => {
  const p = await repos().packs.create(pack());
  const run = {
    packId: p.id, packVersion: "1", triggerReason: "manual", totalTests: 1, passed: 1, failed: 0, skipped: 0, passRate: 1, result: {},
  } as const;
  expect((await validationError(repos().packTests.create({ ...run, durationMs: 2n ** 63n }))).issues).toEqual([
    { field: "durationMs", message: expect.stringMatching(/64-bit/) },
  ]);
  for (const packId of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 53, -3]) {
    expect((await validationError(repos().actions.findByPack(packId))).issues).toEqual([{ field: "packId", message: expect.any(String) }]);
    expect((await validationError(repos().packTests.create({ ...run, packId, durationMs: 1 }))).issues[0]?.field).toBe("packId");
  }
});

it("refuses text too large for its column's index before sending it", async () => {
  const error = await validationError(repos().packs.create(pack({ ref: `r${"a".repeat(1_000)}` })));
  expect(error.issues).toEqual([{ field: "ref", message: expect.stringMatching(/at most 1000 bytes \(the column is indexed\)/) }]);
  expect((await validationError(repos().packs.create(pack({ tags: ["ok", incompressible(9_000)] })))).issues[0]?.field).toBe("tags.1");
  expect((await validationError(repos().identities.create({ login: incompressible(9_000) }))).issues[0]?.field).toBe("login");
});

it("names the field when the database itself refuses an oversized value (an index inside a JSON column)", async () => {
  // idx_event_webhook_key indexes config->>'webhook_key': no shape can know every JSON key an index reads.
  const error = await validationError(
    repos().events.create({ triggerRef: "core.t", config: { source: "webhook", webhook_key: incompressible(12_000) } }),
  );
  expect(error.issues).toEqual([{ field: "config.webhook_key", message: expect.stringMatching(/too large for an index/) }]);
  expect(error.cause).toBeDefined();
});

it("maps what raw SQL gets refused to typed errors without Prisma's source excerpt", async () => {
  const db = withErrorMapping(testPrisma(), "pack");
  const tooLong = await db.$executeRaw`INSERT INTO pack_test_execution (pack_id, pack_version, trigger_reason, total_tests, passed, failed, skipped, pass_rate, duration_ms, result)
    VALUES (1, ${"v".repeat(60)}, 'manual', 0, 0, 0, 0, 0, 0, '{}')`.catch((e: unknown) => e);
  expect(tooLong).toBeInstanceOf(ValidationError);
  expect((tooLong as Error).message).toMatch(/^Invalid pack: is too long for its column \(value too long for type character varying\(50\)\)$/);
  const unknown = await db.$queryRaw`SELECT 1 / 0`.catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(DatabaseError);
  expect(unknown).toMatchObject({ code: "22012", retryable: false, message: "pack: database error 22012: division by zero" });
});

describe("search is literal", () => {
  it("treats %, _ and \\ as themselves", async () => {
    const tag = unique("lit");
    const percent = await repos().packs.create(pack({ description: `${tag} 100% done` }));
    const underscore = await repos().packs.create(pack({ description: `${tag} 100_done` }));
    const other = await repos().packs.create(pack({ description: `${tag} 100Xdone` }));
    const backslash = await repos().packs.create(pack({ description: `${tag} a\\b` }));
    const ids = async (text: string) => (await repos().packs.search(text, { perPage: 1000 })).items.map((p) => p.id);
    expect(await ids(`${tag} 100%`)).toEqual([percent.id]);
    expect(await ids("100_done")).toEqual([underscore.id]);
    expect(await ids("a\\b")).toEqual([backslash.id]);
    expect(await ids(tag)).toHaveLength(4);
    expect(await ids("%")).toEqual([percent.id]);
    expect(other.id).toBeDefined();
  });

  it("in actions too", async () => {
    const p = await repos().packs.create(pack());
    const action = await repos().actions.create({ ref: `${p.ref}.a`, packId: p.id, packRef: p.ref, label: "50%_off", description: "", entrypoint: "x" });
    await repos().actions.create({ ref: `${p.ref}.b`, packId: p.id, packRef: p.ref, label: "50 percent off", description: "", entrypoint: "x" });
    expect((await repos().actions.search("50%_off")).items.map((a) => a.id)).toEqual([action.id]);
    expect((await repos().actions.search("0%")).total).toBe(1);
  });
});
