import { CheckViolationError, ForeignKeyError, NotFoundError, ValidationError } from "../../src/index.ts";
import { mapDatabaseError } from "../../src/errors/map-database-error.ts";
import { inTransaction } from "../../src/repositories/common/db-client.ts";
import { RuntimeRepository } from "../../src/repositories/runtime.ts";
import { WorkerRepository, type CreateWorkerInput } from "../../src/repositories/worker.ts";
import { testPrisma } from "../../src/testing/index.ts";

const workers = () => new WorkerRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;
const newWorker = (over: Partial<CreateWorkerInput> = {}) => workers().create({ name: unique("worker"), workerType: "local", ...over });

describe("WorkerRepository", () => {
  it("creates a worker with the database defaults and finds it by id", async () => {
    const worker = await newWorker();
    expect(worker).toMatchObject({ workerType: "local", status: "inactive", runtimeId: null, host: null, port: null, capabilities: null, meta: null, lastHeartbeat: null });
    expect(typeof worker.id).toBe("bigint");
    expect(await workers().findById(worker.id)).toEqual(worker);
    expect(await workers().getById(worker.id)).toEqual(worker);
  });

  it("creates a worker with a runtime, host, port, status and JSON fields", async () => {
    const runtime = await new RuntimeRepository(testPrisma()).create({ ref: `${unique("p")}.action.py`, runtimeType: "action", name: "py", distributions: {} });
    const worker = await newWorker({
      workerType: "container", runtimeId: runtime.id, host: "10.0.0.5", port: 8080, status: "active",
      capabilities: { gpu: false, max: 4 }, meta: ["a"],
    });
    expect(worker).toMatchObject({ workerType: "container", runtimeId: runtime.id, host: "10.0.0.5", port: 8080, status: "active", capabilities: { gpu: false, max: 4 }, meta: ["a"] });
  });

  it("updateHeartbeat of a missing worker is a NotFoundError", async () => {
    await expect(workers().updateHeartbeat(987654n)).rejects.toThrow(new NotFoundError("worker", { id: 987654n }));
  });

  it("validates port range, enums and name before the database, naming the field", async () => {
    const error = await newWorker({ port: 70000 }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "port", message: expect.any(String) }]);
    await expect(newWorker({ port: 0 })).rejects.toMatchObject({ issues: [{ field: "port" }] });
    await expect(newWorker({ workerType: "cloud" as never })).rejects.toMatchObject({ issues: [{ field: "workerType" }] });
    await expect(newWorker({ name: "" })).rejects.toMatchObject({ issues: [{ field: "name" }] });
    const worker = await newWorker();
    await expect(workers().update(worker.id, { status: "dead" as never })).rejects.toMatchObject({ issues: [{ field: "status" }] });
    await expect(workers().findByStatus("dead" as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(workers().findByType("cloud" as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it("keeps worker_port_range as the database's last line (CheckViolationError)", async () => {
    const error = await testPrisma().worker.create({ data: { name: "w", workerType: "local", port: 0 } }).catch((e) => e);
    const mapped = mapDatabaseError("worker", error);
    expect(mapped).toBeInstanceOf(CheckViolationError);
    expect(mapped).toMatchObject({ constraint: "worker_port_range", rule: "worker port must be between 1 and 65535" });
  });

  it("reports an unknown runtime as ForeignKeyError (missing) naming the relation", async () => {
    const error = await newWorker({ runtimeId: 987654n }).catch((e) => e);
    expect(error).toBeInstanceOf(ForeignKeyError);
    expect(error).toMatchObject({ entity: "worker", kind: "missing", relation: "worker.runtime -> runtime", constraint: "worker_runtime_fkey" });
  });

  it("updates only the given fields; null clears; the trigger moves `updated`", async () => {
    const worker = await newWorker({ host: "h1", port: 1, capabilities: { a: 1 }, meta: { m: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await workers().update(worker.id, { status: "busy", port: 65535 });
    expect(updated).toMatchObject({ name: worker.name, host: "h1", port: 65535, status: "busy", capabilities: { a: 1 }, meta: { m: 1 } });
    expect(updated.updated.getTime()).toBeGreaterThan(worker.updated.getTime());
    expect(updated.created).toEqual(worker.created);
    const cleared = await workers().update(worker.id, { host: null, port: null, capabilities: null, meta: null, name: "renamed" });
    expect(cleared).toMatchObject({ name: "renamed", host: null, port: null, capabilities: null, meta: null, status: "busy" });
    const [row] = await testPrisma().$queryRaw<Array<{ c: boolean; m: boolean }>>`
      SELECT capabilities IS NULL AS c, meta IS NULL AS m FROM worker WHERE id = ${worker.id}`;
    expect(row).toEqual({ c: true, m: true });
    const ignored = await workers().update(worker.id, { workerType: "remote", runtimeId: 1n } as never);
    expect(ignored).toMatchObject({ workerType: "local", runtimeId: null });
  });

  it("finds by status, by type and by name", async () => {
    const name = unique("same");
    const busy = await newWorker({ name, status: "busy", workerType: "remote" });
    const error = await newWorker({ name, status: "error", workerType: "container" });
    expect((await workers().findByStatus("busy")).map((w) => w.id)).toContain(busy.id);
    expect((await workers().findByStatus("busy")).every((w) => w.status === "busy")).toBe(true);
    expect((await workers().findByStatus("error")).map((w) => w.id)).toContain(error.id);
    expect((await workers().findByType("remote")).map((w) => w.id)).toContain(busy.id);
    expect((await workers().findByType("remote")).every((w) => w.workerType === "remote")).toBe(true);
    expect((await workers().findByName(name)).map((w) => w.id)).toEqual([busy.id, error.id]);
    expect(await workers().findByName("nobody")).toEqual([]);
  });

  it("updateHeartbeat sets last_heartbeat from the database clock (same instant as the `updated` trigger)", async () => {
    const worker = await newWorker();
    const beat = await workers().updateHeartbeat(worker.id);
    expect(beat.lastHeartbeat).not.toBeNull();
    expect(beat.lastHeartbeat).toEqual(beat.updated);
    expect(beat.lastHeartbeat!.getTime()).toBeGreaterThanOrEqual(worker.created.getTime());
    const again = await workers().updateHeartbeat(Number(worker.id));
    expect(again.lastHeartbeat!.getTime()).toBeGreaterThanOrEqual(beat.lastHeartbeat!.getTime());
    expect(again).toMatchObject({ name: worker.name, status: "inactive" });
  });

  it("updateHeartbeat works inside a caller's transaction", async () => {
    const worker = await newWorker();
    const beat = await inTransaction(testPrisma(), (tx) => new WorkerRepository(tx).updateHeartbeat(worker.id));
    expect(beat.lastHeartbeat).toEqual(beat.updated);
    expect((await workers().getById(worker.id)).lastHeartbeat).toEqual(beat.lastHeartbeat);
  });

  it("deletes a worker", async () => {
    const worker = await newWorker();
    expect(await workers().delete(worker.id)).toBe(true);
    expect(await workers().findById(worker.id)).toBeNull();
    expect(await workers().delete(worker.id)).toBe(false);
  });
});
