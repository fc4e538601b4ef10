// A test-controlled TCP proxy for peer traffic: a member advertises the proxy's port, the proxy
// forwards to the member's real peer listener. `cut(pred)` drops current and refuses new
// connections whose first bytes (the HTTP request: X-Server-From names the sender) match.

import * as net from 'node:net';

export type ConnectionFilter = (head: string) => boolean;

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly conns = new Set<{ client: net.Socket; upstream: net.Socket; head: string }>();
  private filter: ConnectionFilter = () => false;

  constructor(
    readonly listenPort: number,
    readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.onConnection(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
  }

  /** Refuses connections for which `filter(head)` is true, and drops the open ones. */
  cut(filter: ConnectionFilter): void {
    this.filter = filter;
    for (const c of [...this.conns]) {
      if (filter(c.head)) {
        c.client.destroy();
        c.upstream.destroy();
        this.conns.delete(c);
      }
    }
  }

  heal(): void {
    this.filter = () => false;
  }

  async close(): Promise<void> {
    for (const c of this.conns) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.conns.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onConnection(client: net.Socket): void {
    client.once('data', (first: Buffer) => {
      const head = first.toString('latin1').toLowerCase();
      if (this.filter(head)) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      const entry = { client, upstream, head };
      this.conns.add(entry);
      upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
      const done = (): void => {
        this.conns.delete(entry);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', done);
      upstream.on('error', done);
      client.on('close', done);
      upstream.on('close', done);
    });
    client.on('error', () => client.destroy());
  }
}
