import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrationStatus } from "../../src/index.ts";
import { listenNotifications, type SchemaNotification } from "../../src/notifications/listen-notifications.ts";
import { testPrisma, testSchema } from "../../src/testing/index.ts";
import { withClient } from "./pg.ts";
import { waitFor, Wakeup } from "./wait-for.ts";

/** Advisory-lock class of the isolation files' rendezvous ("isol"). */
const RENDEZVOUS_CLASS = 0x69736f6c;

/** The isolation files of this folder: when all of them ran in one run, the last one checks they overlapped. */
const ISOLATION_FILES = fs.readdirSync(path.join(__dirname, "../isolation")).filter((f) => /^isolation-\d+\.test\.ts$/.test(f));

interface Window {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  /** The most isolation files (this one included) seen writing at the same moment. */
  readonly together: number;
}

/**
 * The checks every isolation file runs at the same time as the others: its own
 * migrated schema, no rows of any other file, and only its own notifications,
 * while the other files write and notify on the same channels. Each file waits
 * briefly for another to be writing too (a rendezvous on an advisory lock) and
 * records when it wrote; the last file of the run to finish proves from those
 * records that files did write at the same time (a run of one file proves
 * nothing about concurrency, and says so).
 */
export function checkIsolation(file: string): void {
  const marker = path.basename(file, ".test.ts").replace(/[^a-z0-9]/g, "");
  const runId = process.env.ATTUNE_TEST_RUN_ID ?? "no-run";
  const evidence = path.join(os.tmpdir(), `attune-db-isolation-${runId}`);

  it("runs in its own, fully migrated test schema", async () => {
    const { schema, url } = testSchema();
    expect(schema).toMatch(/^test_[a-z0-9]{10}$/);
    expect(process.env.DATABASE_URL).toBe(url);
    expect(new URL(process.env.DATABASE_URL!).searchParams.get("schema")).toBe(schema);
    expect((await migrationStatus({ url })).upToDate).toBe(true);
  });

  it("sees only its own rows and notifications while other files write concurrently", async () => {
    const prisma = testPrisma();
    const received: SchemaNotification[] = [];
    const arrivals = new Wakeup();
    const listener = await listenNotifications({
      onNotification: (n) => {
        received.push(n);
        arrivals.wake();
      },
    });
    const window = await withClient(async (presence) => {
      await presence.query("SELECT pg_advisory_lock_shared($1, hashtext($2))", [RENDEZVOUS_CLASS, runId]);
      const together = async () =>
        (
          await presence.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = (hashtext($2)::bigint & 4294967295)::oid AND granted",
            [RENDEZVOUS_CLASS, runId],
          )
        ).rows[0]!.n;
      let seen = 0;
      // Best effort: a run of this one file goes on alone after 5 s.
      await waitFor("another isolation file at the rendezvous", async () => (seen = await together()) >= 2, { timeoutMs: 5_000, required: false });
      const start = Date.now();
      try {
        const pack = await prisma.pack.create({ data: { ref: `iso${marker}`, label: marker, version: "1.0.0" } });
        const action = await prisma.action.create({
          data: { ref: `iso${marker}.run`, label: "run", description: "d", entrypoint: "run.sh", packId: pack.id, packRef: pack.ref },
        });
        for (let i = 0; i < 5; i++) {
          await prisma.execution.create({ data: { actionId: action.id, actionRef: action.ref } });
          seen = Math.max(seen, await together());
          await new Promise((resolve) => setTimeout(resolve, 20)); // interleave with the other files
        }
        expect(await prisma.pack.findMany({ select: { ref: true } })).toEqual([{ ref: `iso${marker}` }]);
        expect(await prisma.execution.count()).toBe(5);

        await waitFor("this file's 5 notifications", () => received.length >= 5, { timeoutMs: 20_000, wakeup: arrivals, state: () => received });
        await new Promise((resolve) => setTimeout(resolve, 100)); // anything foreign would arrive by now
        expect(received).toHaveLength(5);
        for (const n of received) {
          expect(n.payload).toMatchObject({ schema: testSchema().schema, entity_type: "execution", data: { action_ref: action.ref } });
        }
        return { file: path.basename(file), start, end: Date.now(), together: seen } satisfies Window;
      } finally {
        await listener.close();
      }
    });

    fs.mkdirSync(evidence, { recursive: true });
    fs.writeFileSync(path.join(evidence, `${window.file}.json`), JSON.stringify(window));
    const windows = readWindows(evidence);
    if (windows.length === ISOLATION_FILES.length) {
      // The last to finish: the files' writes must have overlapped, or nothing above was tested under concurrency.
      const overlapping = windows.filter((a) => windows.some((b) => a !== b && a.start < b.end && b.start < a.end));
      expect({ overlapping: overlapping.length > 1, together: Math.max(...windows.map((w) => w.together)) > 1 }).toEqual({
        overlapping: true,
        together: true,
      });
      fs.rmSync(evidence, { recursive: true, force: true });
    }
  });
}

/** The windows recorded so far (another file finishing at the same moment may be removing them). */
function readWindows(dir: string): Window[] {
  try {
    return fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Window);
  } catch {
    return [];
  }
}
