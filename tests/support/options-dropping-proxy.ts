import net from "node:net";

/**
 * A TCP proxy in front of a real PostgreSQL that removes the `options`
 * startup parameter, as a connection pooler that does not forward it does
 * (PgBouncer in transaction mode, unless told otherwise). Everything else
 * passes through untouched.
 */
export async function startOptionsDroppingProxy(target: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.once("data", (startup) => {
      upstream.write(withoutOptions(startup));
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The startup message (int32 length, int32 protocol, then name\0value\0 pairs and a final \0) without `options`. */
function withoutOptions(message: Buffer): Buffer {
  const length = message.readInt32BE(0);
  const protocol = message.readInt32BE(4);
  if (protocol !== 196608) return message; // not a v3 startup message (an SSL request, say): pass it on
  const fields = message.subarray(8, length - 1).toString("utf8").split("\0");
  const kept: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] !== "options") kept.push(fields[i]!, fields[i + 1]!);
  const body = Buffer.from(kept.map((field) => `${field}\0`).join("") + "\0", "utf8");
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(protocol, 4);
  return Buffer.concat([header, body, message.subarray(length)]);
}
