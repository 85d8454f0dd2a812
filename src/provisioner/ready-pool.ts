import type pg from "pg";
import type { OwnerSession } from "./owner-session.ts";
import type { SchemaBuilder } from "./schema-builder.ts";
import { BUILD_LOCK_CLASS } from "./schema-locks.ts";
import { REGISTRY_TABLE } from "./test-schema-registry.ts";
import { generateTestSchemaName } from "./test-schema-name.ts";

/**
 * A refill starts once hand-outs pause this long: test files start in bursts
 * (every worker at once), and a build started by the first hand-out would
 * compete with the next ones for the server's CPU (measured: p95 of the
 * hand-out 1.2-4 ms with immediate refills, the claim alone ~0.5 ms).
 */
export const REFILL_DELAY_MS = 25;

/**
 * How often a process that holds BUILD locks of ready schemas checks whether
 * they were claimed (by any process of the run). Until it lets go, the
 * claimant's drop of that schema (changed by its test) finds it alive and
 * must leave it to the run's teardown; the process that filled the pool at
 * the start of a run would otherwise never look again.
 */
export const FORGET_CLAIMED_MS = 250;

export interface ReadyPoolOptions {
  readonly owner: OwnerSession;
  readonly work: pg.Pool;
  readonly builder: SchemaBuilder;
  readonly fingerprint: string;
  readonly runId: string;
  readonly prefix: string;
  /** Ready schemas to keep. 0: no pool. */
  readonly size: number;
  /**
   * How many schemas of this process are expected back in the pool soon (in
   * use, or being recycled): a refill builds only for what they do not
   * cover, rather than racing every file's recycle with a build.
   */
  readonly comingBack?: () => number;
  readonly log?: (line: string) => void;
}

/**
 * Migrated, empty schemas waiting in the registry (state `ready`), shared by
 * every process of one run (its workers) with the same migrations' fingerprint. A
 * process keeps the BUILD lock of each ready schema it built or recycled, so
 * no reaper takes it while it waits; it lets go once the schema is claimed.
 */
export class ReadyPool {
  /** Ready schemas whose BUILD lock this process holds (see {@link hold}). */
  private readonly held = new Set<string>();
  private forgetTimer: ReturnType<typeof setInterval> | undefined;
  private forgetting: Promise<void> | undefined;
  private lastClaimAt = 0;
  private refilling: Promise<void> | undefined;
  private refillTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: ReadyPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  /** Takes a ready schema (with its USE lock), or undefined when none is ready; then refills in the background, once hand-outs pause. */
  async claim(): Promise<string | undefined> {
    if (this.options.size === 0) return undefined;
    this.lastClaimAt = Date.now();
    const claimed = await this.options.owner.claimReady(this.options.fingerprint, this.options.runId);
    this.refillSoon();
    return claimed;
  }

  /** Refills once hand-outs pause: after each claim, and when a schema expected back was dropped instead. */
  refillSoon(): void {
    if (this.closed) return;
    clearTimeout(this.refillTimer);
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.scheduleRefill();
    }, REFILL_DELAY_MS);
    this.refillTimer.unref?.();
  }

  /** Ready schemas of this run and fingerprint, from any of the run's processes. */
  async readyCount(): Promise<number> {
    const { rows } = await this.options.work.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${REGISTRY_TABLE} WHERE state = 'ready' AND fingerprint = $1 AND run_id = $2`,
      [this.options.fingerprint, this.options.runId],
    );
    return rows[0]!.n;
  }

  /** Builds ready schemas until the pool holds `target` of them (two at a time); returns how many it built. */
  async fill(target: number = this.options.size): Promise<number> {
    const missing = Math.max(0, target - (await this.readyCount()));
    let built = 0;
    const worker = async (share: number) => {
      for (let i = 0; i < share && !this.closed; i++) {
        await this.buildOne();
        built++;
      }
    };
    await Promise.all([worker(Math.ceil(missing / 2)), worker(Math.floor(missing / 2))]);
    return built;
  }

  scheduleRefill(): void {
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    if (this.refilling || this.closed || this.options.size === 0) return;
    this.refilling = (async () => {
      try {
        await this.forgetClaimed();
        const comingBack = this.options.comingBack ?? (() => 0);
        while (!this.closed && (await this.readyCount()) + comingBack() < this.options.size) await this.buildOne();
      } catch (error) {
        if (!this.closed) this.options.log?.(`attune-db: refilling the schema pool failed: ${(error as Error).message}`);
      } finally {
        this.refilling = undefined;
      }
    })();
  }

  /** Waits for a running refill (starting a pending one now). */
  async idle(): Promise<void> {
    if (this.refillTimer) this.scheduleRefill();
    while (this.refilling) await this.refilling;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    clearInterval(this.forgetTimer);
    this.forgetTimer = undefined;
  }

  /** Records that this process holds the BUILD lock of ready schema `schema`, and lets go once it is claimed. */
  hold(schema: string): void {
    this.held.add(schema);
    if (this.forgetTimer || this.closed) return;
    this.forgetTimer = setInterval(() => {
      if (this.held.size === 0 || this.closed) {
        clearInterval(this.forgetTimer);
        this.forgetTimer = undefined;
        return;
      }
      // Not amid this process's own hand-outs (they share the owner session, one statement at a
      // time): the refill that follows them checks claims anyway.
      if (Date.now() - this.lastClaimAt < FORGET_CLAIMED_MS) return;
      this.forgetClaimed().catch(() => {}); // tried again at the next tick
    }, FORGET_CLAIMED_MS);
    this.forgetTimer.unref?.();
  }

  /** This process let go of `schema`'s BUILD lock itself (it is dropping it). */
  forget(schema: string): void {
    this.held.delete(schema);
  }

  private async buildOne(): Promise<string> {
    const schema = generateTestSchemaName(this.options.prefix);
    await this.options.owner.hold(BUILD_LOCK_CLASS, schema);
    try {
      await this.options.builder.build(schema, "ready");
    } catch (error) {
      await this.options.owner.letGo(BUILD_LOCK_CLASS, schema).catch(() => {});
      throw error;
    }
    this.hold(schema);
    return schema;
  }

  /** BUILD locks only protect schemas still waiting in the pool: let go of those claimed since. */
  private forgetClaimed(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    // One at a time: two could each let go of the same name, the second time of another hold of it.
    return (this.forgetting ??= this.options.owner
      .forgetClaimed([...this.held])
      .then((names) => {
        for (const name of names) this.held.delete(name);
      })
      .finally(() => (this.forgetting = undefined)));
  }
}
