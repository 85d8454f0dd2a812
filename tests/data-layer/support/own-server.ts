import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

/** An embedded PostgreSQL that this test file started (in a child process), and may therefore halt and resume. */
export interface OwnServer {
  readonly url: string;
  /** Fast shutdown: every connection is cut; the data stays. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnServer(): Promise<OwnServer> {
  const script = path.join(__dirname, "embedded-server-process.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the embedded server process ended");
    return value as string;
  };
  const command = async (name: string) => {
    child.stdin!.write(`${name}\n`);
    const answer = await nextLine();
    if (answer !== `ok ${name}`) throw new Error(`embedded server: ${name} answered ${answer}`);
  };
  const url = await nextLine();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    halt: () => command("halt"),
    resume: () => command("resume"),
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}
