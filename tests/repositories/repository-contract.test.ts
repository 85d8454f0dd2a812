// The shape every repository shares, checked once for all 25: what find*
// and get* do with a missing row, what create/update/delete return, which
// unique keys give a ConflictError, and in which order pages come with which
// totals. The per-entity files test only what is particular to each.
import { ConflictError, NotFoundError, ValidationError } from "../../src/index.ts";
import { createRepositories, type Repositories } from "../../src/repositories/create-repositories.ts";
import { testPrisma } from "../../src/testing/index.ts";
import { newAction, newExecution, newIdentity, newPack, newTrigger, unique } from "./fixtures/run-time-fixtures.ts";

type Row = { id?: bigint } & Record<string, unknown>;
type Input = Record<string, unknown>;

interface Contract {
  /** The Prisma model behind it, to read the expected order and total from the database. */
  readonly model: string;
  readonly entity: string;
  /** A valid create input for a new row (creating its parents first). */
  readonly make?: () => Promise<Input>;
  /** An update the repository accepts, when it has `update(id, input)`. */
  readonly update?: Input;
  /** The unique lookups besides the id: `Ref` for findByRef/getByRef, the key field, a value no row has. */
  readonly lookups?: readonly { readonly by: string; readonly field: string; readonly missing: unknown }[];
  /** Fields of a unique key: a second row with the same values is a ConflictError naming them. */
  readonly unique?: readonly string[];
  /** The order of `list()`, as a Prisma orderBy. */
  readonly order?: object;
}

const NEWEST_FIRST = [{ created: "desc" }, { id: "desc" }];
const BY_REF = [{ ref: "asc" }];
const byRef = { by: "Ref", field: "ref", missing: "nope.nope" } as const;

async function packScoped() {
  const pack = await newPack();
  return { ref: `${pack.ref}.${unique("x")}`, packId: pack.id, packRef: pack.ref };
}

const CONTRACTS: Record<keyof Repositories, Contract> = {
  packs: {
    model: "pack", entity: "pack", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { label: "L2" },
    make: async () => ({ ref: unique("pk"), label: "L", version: "1.0.0" }),
  },
  packInstallations: {
    model: "packInstallation", entity: "pack_installation", unique: ["packId"],
    order: [{ installedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
    lookups: [{ by: "PackId", field: "packId", missing: 987654n }],
    make: async () => ({ packId: (await newPack()).id, sourceType: "git", storagePath: "/packs/x" }),
  },
  packTests: {
    model: "packTestExecution", entity: "pack_test_execution", order: [{ executionTime: "desc" }, { id: "desc" }],
    make: async () => ({
      packId: (await newPack()).id, packVersion: "1.0.0", triggerReason: "manual",
      totalTests: 1, passed: 1, failed: 0, skipped: 0, passRate: 1, durationMs: 5, result: {},
    }),
  },
  runtimes: {
    model: "runtime", entity: "runtime", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { name: "n2" },
    make: async () => {
      const pack = await newPack();
      return { ref: `${pack.ref}.action.${unique("rt")}`, packId: pack.id, packRef: pack.ref, runtimeType: "action", name: "py", distributions: {} };
    },
  },
  workers: {
    model: "worker", entity: "worker", order: [{ name: "asc" }, { id: "asc" }], update: { status: "active" },
    make: async () => ({ name: unique("w"), workerType: "local" }),
  },
  triggers: {
    model: "trigger", entity: "trigger", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { label: "L2" },
    make: async () => ({ ...(await packScoped()), label: "T" }),
  },
  sensors: {
    model: "sensor", entity: "sensor", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { enabled: false },
    make: async () => {
      const trigger = await newTrigger();
      const runtime = await testPrisma().runtime.create({
        data: { ref: `${trigger.packRef}.sensor.${unique("rt")}`, runtimeType: "sensor", name: "py", distributions: {} },
      });
      return {
        ref: `${trigger.packRef}.${unique("s")}`, label: "S", description: "d", entrypoint: "s.py", enabled: true,
        runtimeId: runtime.id, runtimeRef: runtime.ref, triggerId: trigger.id, triggerRef: trigger.ref,
      };
    },
  },
  actions: {
    model: "action", entity: "action", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { label: "L2" },
    make: async () => ({ ...(await packScoped()), label: "A", description: "d", entrypoint: "a.py" }),
  },
  policies: {
    model: "policy", entity: "policy", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { threshold: 2 },
    make: async () => ({ ...(await packScoped()), method: "cancel", threshold: 1, name: "p" }),
  },
  rules: {
    model: "rule", entity: "rule", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { enabled: false },
    make: async () => {
      const [action, trigger] = [await newAction(), await newTrigger()];
      return {
        ref: `${action.packRef}.${unique("r")}`, packId: action.packId, packRef: action.packRef, label: "R", description: "d",
        actionId: action.id, actionRef: action.ref, triggerId: trigger.id, triggerRef: trigger.ref, enabled: true,
      };
    },
  },
  events: {
    model: "event", entity: "event", order: NEWEST_FIRST, update: { payload: { n: 2 } },
    make: async () => ({ triggerRef: "core.t", payload: { n: 1 } }),
  },
  enforcements: {
    model: "enforcement", entity: "enforcement", order: NEWEST_FIRST, update: { status: "processed" },
    make: async () => ({ ruleRef: "core.r", triggerRef: "core.t", payload: {} }),
  },
  executions: {
    model: "execution", entity: "execution", order: NEWEST_FIRST, update: { status: "running" },
    make: async () => ({ actionRef: "core.a" }),
  },
  inquiries: {
    model: "inquiry", entity: "inquiry", order: NEWEST_FIRST, update: { status: "responded" },
    make: async () => ({ executionId: (await newExecution()).id, prompt: "ok?" }),
  },
  identities: {
    model: "identity", entity: "identity", order: [{ login: "asc" }], unique: ["login"], update: { displayName: "D" },
    lookups: [{ by: "Login", field: "login", missing: "nobody-at-all" }],
    make: async () => ({ login: unique("user") }),
  },
  permissionSets: {
    model: "permissionSet", entity: "permission_set", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { label: "L2" },
    make: async () => ({ ref: `${unique("pk")}.role` }),
  },
  permissionAssignments: {
    model: "permissionAssignment", entity: "permission_assignment", order: NEWEST_FIRST, unique: ["identityId", "permissionSetId"],
    make: async () => {
      const set = await testPrisma().permissionSet.create({ data: { ref: `${unique("pk")}.role` } });
      return { identityId: (await newIdentity()).id, permissionSetId: set.id };
    },
  },
  keys: {
    model: "key", entity: "key", order: BY_REF, lookups: [byRef], unique: ["ref"], update: { value: "v2" },
    make: async () => ({ ref: unique("k"), ownerType: "system", name: unique("name"), encrypted: false, value: "v" }),
  },
  notifications: {
    model: "notification", entity: "notification", order: NEWEST_FIRST, update: { state: "processing" },
    make: async () => ({ channel: "contract_test", entityType: "thing", entity: "1", activity: "made" }),
  },
  artifacts: {
    model: "artifact", entity: "artifact", order: NEWEST_FIRST, update: { retentionLimit: 3 },
    make: async () => ({ ref: unique("core.art"), type: "file_text" }),
  },
  queueStats: {
    model: "queueStats", entity: "queue_stats",
    lookups: [{ by: "Action", field: "actionId", missing: 987654n }],
  },
  workflowDefinitions: {
    model: "workflowDefinition", entity: "workflow_definition", order: BY_REF, lookups: [byRef], unique: ["ref"],
    update: { label: "L2" },
    make: async () => ({ ...(await packScoped()), label: "W", version: "1.0.0", definition: {} }),
  },
  workflowExecutions: {
    model: "workflowExecution", entity: "workflow_execution", order: NEWEST_FIRST, update: { paused: true },
    make: async () => {
      const definition = await testPrisma().workflowDefinition.create({ data: { ...(await packScoped()), label: "W", version: "1", definition: {} } });
      return { executionId: (await newExecution()).id, workflowDefId: definition.id, taskGraph: {} };
    },
  },
  webhookEventLogs: {
    model: "webhookEventLog", entity: "webhook_event_log", order: NEWEST_FIRST,
    make: async () => {
      const trigger = await newTrigger();
      return { triggerId: trigger.id, triggerRef: trigger.ref, webhookKey: unique("wh"), statusCode: 200 };
    },
  },
  // Counters behind SQL functions: none of the shared shape.
  webhookRateLimits: { model: "webhookRateLimit", entity: "webhook_rate_limit" },
};

/** A repository seen through the shared shape (every method optional). */
type Loose = Partial<Record<string, (...args: unknown[]) => Promise<unknown>>>;
const repository = (name: keyof Repositories) => createRepositories(testPrisma())[name] as unknown as Loose;
const call = (repo: Loose, method: string, ...args: unknown[]) => {
  const fn = repo[method];
  if (!fn) throw new Error(`no ${method}`);
  return fn.apply(repo, args);
};
const ids = (rows: Row[]) => rows.map((row) => row.id);

it("covers every repository createRepositories offers, each built on first use and then kept", () => {
  const repositories = createRepositories(testPrisma());
  const names: string[] = [];
  for (const name in repositories) names.push(name);
  expect(names.sort()).toEqual(Object.keys(CONTRACTS).sort());
  expect(Object.keys(repositories)).toEqual([]);
  expect(repositories.packs).toBe(repositories.packs);
  expect(Object.keys(repositories)).toEqual(["packs"]);
});

describe.each(Object.entries(CONTRACTS) as [keyof Repositories, Contract][])("%s", (name, contract) => {
  const repo = () => repository(name);
  const idKeyed = contract.make !== undefined;

  it("offers exactly the shared methods its contract names", () => {
    const offered = ["findById", "getById", "list", "count", "create", "update", "delete"].filter((m) => typeof repo()[m] === "function");
    const expected = idKeyed ? ["findById", "getById", "list", "count", "create", ...(contract.update ? ["update"] : []), "delete"] : [];
    expect(offered).toEqual(name === "queueStats" ? ["delete"] : expected);
  });

  const lookups = [...(idKeyed ? [{ by: "Id", field: "id", missing: 987654n }] : []), ...(contract.lookups ?? [])];
  if (lookups.length > 0) {
    it("returns null from find* and throws NotFoundError naming the key from get* for a missing row", async () => {
      for (const { by, field, missing } of lookups) {
        expect(await call(repo(), `findBy${by}`, missing)).toBeNull();
        const error = await call(repo(), `getBy${by}`, missing).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ entity: contract.entity, key: { [field]: missing } });
      }
    });
  }

  if (!idKeyed) return;
  const make = async () => (await call(repo(), "create", await contract.make!())) as Row;

  it("creates a row that find* and get* return; update and delete answer for a missing row", async () => {
    const row = await make();
    expect(typeof row.id).toBe("bigint");
    expect(await call(repo(), "findById", row.id)).toEqual(row);
    expect(await call(repo(), "getById", Number(row.id))).toEqual(row);
    for (const { by, field } of contract.lookups ?? []) expect(await call(repo(), `getBy${by}`, row[field])).toEqual(row);
    if (contract.update) {
      await expect(call(repo(), "update", 987654n, contract.update)).rejects.toMatchObject({ entity: contract.entity, key: { id: 987654n } });
      expect(await call(repo(), "update", row.id, contract.update)).toMatchObject(contract.update);
    }
    expect(await call(repo(), "delete", 987654n)).toBe(false);
    expect(await call(repo(), "delete", row.id)).toBe(true);
    expect(await call(repo(), "findById", row.id)).toBeNull();
  });

  it("refuses ids that are not positive safe integers or bigints, naming the field", async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53, 2n ** 63n]) {
      const error = await call(repo(), "findById", bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ entity: contract.entity, issues: [{ field: "id" }] });
    }
  });

  if (contract.unique) {
    const fields = contract.unique;
    it(`reports a second row with the same ${fields.join(", ")} as ConflictError naming the fields`, async () => {
      const first = await make();
      const again = { ...(await contract.make!()), ...Object.fromEntries(fields.map((field) => [field, first[field]])) };
      const error = await call(repo(), "create", again).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ entity: contract.entity, fields });
      expect((error as Error).message).toMatch(new RegExp(`^${contract.entity} already exists with the same ${fields.join(", ")} \\(constraint \\w+\\)$`));
    });
  }

  it("lists pages in the model's order, with the total of all rows (ties broken too)", async () => {
    const inputs = [await contract.make!(), await contract.make!()];
    // Rows written in one transaction share `created`: the order must not depend on it alone.
    await testPrisma().$transaction(async (tx) => {
      for (const input of inputs) await call(createRepositories(tx)[name] as unknown as Loose, "create", input);
    });
    await make();
    const delegate = (testPrisma() as unknown as Record<string, { findMany(a: object): Promise<Row[]>; count(): Promise<number> }>)[contract.model]!;
    const expected = await delegate.findMany({ orderBy: contract.order, select: { id: true } });
    const all = (await call(repo(), "list", { perPage: 1000 })) as { items: Row[]; total: number };
    expect(ids(all.items)).toEqual(ids(expected));
    expect(all.total).toBe(await delegate.count());
    expect(await call(repo(), "count")).toBe(all.total);
    const first = (await call(repo(), "list", { page: 0, perPage: 2 })) as { items: Row[] };
    const second = (await call(repo(), "list", { page: 1, perPage: 2 })) as { items: Row[] };
    expect(first).toMatchObject({ page: 0, perPage: 2, total: all.total });
    expect(ids([...first.items, ...second.items])).toEqual(ids(all.items).slice(0, 4));
    expect(await call(repo(), "list")).toMatchObject({ page: 0, perPage: 50 });
    for (const bad of [{ perPage: 0 }, { perPage: 1001 }, { page: -1 }, { page: 0.5 }]) {
      await expect(call(repo(), "list", bad)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
