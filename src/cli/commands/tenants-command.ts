import cliProgress from "cli-progress";
import type { Command } from "commander";
import { AttuneDbError } from "../../errors/attune-db-error.ts";
import { createTenant } from "../../tenants/create-tenant.ts";
import { dropTenant } from "../../tenants/drop-tenant.ts";
import { listTenants } from "../../tenants/list-tenants.ts";
import { migrateTenants } from "../../tenants/migrate-tenants.ts";
import { DEFAULT_TENANT_CONCURRENCY, type BulkTenantOptions, type TenantFilter } from "../../tenants/tenant-options.ts";
import { tenantStatus } from "../../tenants/tenant-status.ts";
import { confirmDrop } from "../confirm-drop.ts";
import { requireDatabaseUrl } from "../require-database-url.ts";
import { runCommand } from "../run-command.ts";

interface Flags {
  url?: string;
  migrationsDir?: string;
  json?: boolean;
}

interface BulkFlags extends Flags {
  prefix?: string;
  concurrency: string;
}

export function registerTenantsCommand(program: Command): void {
  const tenants = program
    .command("tenants")
    .description("tenant schemas: create, list, migrate, status, drop (only schemas registered as tenants)");

  common(tenants.command("create <name>").description("register a tenant, create its schema and apply every migration"))
    .action(
      runCommand(async (name: string, flags: Flags) => {
        const url = requireDatabaseUrl("tenants create", flags.url);
        const result = await createTenant(name, { url, migrationsDir: flags.migrationsDir });
        if (flags.json) console.log(JSON.stringify(result, null, 2));
        else console.log(`Tenant "${result.name}" ${result.registered ? "created" : "already registered"}: ${result.applied.length} migration(s) applied.`);
      }),
    );

  common(tenants.command("list").description("list registered tenants"))
    .option("--prefix <prefix>", "only tenants whose name starts with this")
    .action(
      runCommand(async (flags: Flags & { prefix?: string }) => {
        const url = requireDatabaseUrl("tenants list", flags.url);
        const list = await listTenants({ url, filter: filterOf([], flags) });
        if (flags.json) console.log(JSON.stringify(list, null, 2));
        else {
          for (const t of list) console.log(`  ${t.name}  ${t.createdAt.toISOString()}${t.schemaExists ? "" : "  (schema missing)"}`);
          console.log(`${list.length} tenant(s).`);
        }
      }),
    );

  bulk(tenants.command("migrate [names...]").description("apply pending migrations to every tenant (or the named ones); exit 1 when any failed"))
    .action(
      runCommand(async (names: string[], flags: BulkFlags) => {
        const options = bulkOptions("tenants migrate", names, flags);
        const started = Date.now();
        const report = await withProgress(flags, "migrating", (onProgress) => migrateTenants({ ...options, onProgress }));
        if (flags.json) console.log(JSON.stringify(report, (key, value: unknown) => (key === "cause" ? undefined : value), 2));
        else {
          for (const o of report.tenants) {
            if (o.outcome === "migrated") console.log(`  migrated ${o.tenant}: ${o.applied.join(", ")}`);
            if (o.outcome === "failed") console.error(`  FAILED   ${o.tenant}: ${o.error}`);
          }
          console.log(
            `${report.migrated} migrated, ${report.upToDate} already up to date, ${report.failed} failed ` +
              `(${report.tenants.length} tenant(s), ${Date.now() - started} ms).`,
          );
        }
        if (report.failed > 0) process.exitCode = 1;
      }),
    );

  bulk(tenants.command("status [names...]").description("tenants behind, edited or failed; exit 1 unless all are up to date"))
    .action(
      runCommand(async (names: string[], flags: BulkFlags) => {
        const report = await withProgress(flags, "checking", (onProgress) =>
          tenantStatus({ ...bulkOptions("tenants status", names, flags), onProgress }),
        );
        if (flags.json) console.log(JSON.stringify(report, null, 2));
        else {
          for (const s of report.tenants.filter((t) => t.state !== "up-to-date")) {
            const detail = s.error ?? [...s.failed.map((m) => `failed ${m}`), ...s.edited.map((m) => `edited ${m}`), ...s.pending.map((m) => `pending ${m}`)].join(", ");
            console.log(`  ${s.state.padEnd(8)} ${s.tenant}${detail ? `: ${detail}` : ""}`);
          }
          const counts = new Map<string, number>();
          for (const s of report.tenants) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
          console.log(`${report.tenants.length} tenant(s): ${[...counts].map(([state, n]) => `${n} ${state}`).join(", ") || "none"}.`);
        }
        if (!report.upToDate) process.exitCode = 1;
      }),
    );

  common(tenants.command("drop <name>").description("drop a registered tenant's schema and everything in it (asks first)"))
    .option("--force", "do not ask for confirmation (the CI environment variable does not imply it: a tenant is production data)")
    .action(
      runCommand(async (name: string, flags: Flags & { force?: boolean }) => {
        const url = requireDatabaseUrl("tenants drop", flags.url);
        if (!(await confirmDrop("a tenant", `Drop tenant "${name}" and all its data?`, { force: flags.force, ciConfirms: false }))) {
          console.log("Nothing dropped.");
          return;
        }
        await dropTenant(name, { url });
        if (flags.json) console.log(JSON.stringify({ dropped: name }));
        else console.log(`Tenant "${name}" dropped.`);
      }),
    );
}

function common(command: Command): Command {
  return command
    .option("--url <url>", "database URL (default: DATABASE_URL)")
    .option("--migrations-dir <dir>", "migrations folder (default: this package's prisma/migrations)")
    .option("--json", "print machine-readable JSON");
}

function bulk(command: Command): Command {
  return common(command)
    .option("--prefix <prefix>", "only tenants whose name starts with this")
    .option("--concurrency <n>", "tenants worked on at once, one connection each", String(DEFAULT_TENANT_CONCURRENCY));
}

function filterOf(names: readonly string[], flags: { prefix?: string }): TenantFilter {
  return { ...(flags.prefix !== undefined && { prefix: flags.prefix }), ...(names.length > 0 && { names }) };
}

function bulkOptions(command: string, names: readonly string[], flags: BulkFlags): BulkTenantOptions {
  const url = requireDatabaseUrl(command, flags.url);
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new AttuneDbError(`--concurrency must be a whole number from 1 to 64 (got ${flags.concurrency})`);
  }
  return { url, migrationsDir: flags.migrationsDir, concurrency, filter: filterOf(names, flags) };
}

/** A progress bar on a terminal (never with --json); none otherwise. */
async function withProgress<T>(
  flags: Flags,
  verb: string,
  work: (onProgress: BulkTenantOptions["onProgress"]) => Promise<T>,
): Promise<T> {
  const bar =
    !flags.json && process.stdout.isTTY
      ? new cliProgress.SingleBar({ format: `${verb} [{bar}] {value}/{total} tenants  {eta_formatted} left` }, cliProgress.Presets.shades_classic)
      : undefined;
  let started = false;
  try {
    return await work(({ done, total }) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.update(done);
    });
  } finally {
    if (started) bar?.stop();
  }
}
