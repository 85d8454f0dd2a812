// Run by tests as a separate process: acquires a test schema, prints its name, then waits to be killed.
import { SchemaProvisioner } from "../../src/provisioner/schema-provisioner.ts";

async function main(): Promise<void> {
  const provisioner = await SchemaProvisioner.open({ url: process.env.HOLD_URL!, poolSize: 0, runId: process.env.HOLD_RUN_ID });
  const held = await provisioner.acquire();
  process.stdout.write(`${JSON.stringify({ schema: held.schema })}\n`);
  setInterval(() => {}, 60_000);
}

void main();
