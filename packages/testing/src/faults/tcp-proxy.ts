import net, { type AddressInfo } from 'node:net';

/**
 * A TCP relay in front of a real server (PostgreSQL, Redis) that a test can break: after
 * `sever()`, and until `restore()`, any connection is closed the moment its client sends
 * anything (a query on a pooled connection, a start-up message on a new one) — what a client
 * sees when the server dies mid-request.
 */
export interface TcpProxy {
  /** host:port to connect to instead of the target's. */
  readonly host: string;
  readonly port: number;
  sever(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let severed = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on('data', (chunk) => {
      if (severed) {
        client.destroy();
        upstream.destroy();
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    sever() {
      severed = true;
    },
    restore() {
      severed = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
