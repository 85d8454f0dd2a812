// Run by tests as a separate process: opens a provisioner whose connections
// must not keep the process alive, uses it, prints a line, and returns. The
// process must then exit by itself, with its connections still open.
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";

async function main(): Promise<void> {
  // Unref'd connections do not keep the process alive even while a query is
  // in flight (a Jest worker is kept alive by Jest itself): this timer does,
  // until the work is done.
  const busy = setInterval(() => {}, 1_000);
  const provisioner = await SchemaProvisioner.open({ url: process.env.HOLD_URL!, poolSize: 0, unref: true, runId: process.env.HOLD_RUN_ID });
  const held = await provisioner.acquire();
  process.stdout.write(`${JSON.stringify({ schema: held.schema })}\n`);
  clearInterval(busy);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
