// In-process transport with PeerTransport's interface: a hub connects members of one test; links
// can be cut to partition them. Messages are delivered asynchronously, like a socket would.

import type { Message } from '../raft/types';
import type { PeerHandler, PeerTransport } from './transport';

export class MemoryHub {
  readonly members = new Map<bigint, MemoryTransport>();
  private readonly cut = new Set<string>();

  transport(selfId: bigint): MemoryTransport {
    const t = new MemoryTransport(this, selfId);
    this.members.set(selfId, t);
    return t;
  }

  /** Cuts (or heals) both directions between a and b. */
  setLink(a: bigint, b: bigint, up: boolean): void {
    for (const k of [`${a}>${b}`, `${b}>${a}`]) up ? this.cut.delete(k) : this.cut.add(k);
  }

  linkUp(from: bigint, to: bigint): boolean {
    return !this.cut.has(`${from}>${to}`);
  }
}

export class MemoryTransport implements PeerTransport {
  private handler: PeerHandler | undefined;
  private readonly peers = new Set<bigint>();
  private closed = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly selfId: bigint,
  ) {}

  start(handler: PeerHandler): void {
    this.handler = handler;
  }

  deliver(m: Message): void {
    if (!this.closed) this.handler?.process(m);
  }

  addPeer(id: bigint): void {
    if (id !== this.selfId) this.peers.add(id);
  }

  updatePeer(): void {}

  removePeer(id: bigint): void {
    this.peers.delete(id);
  }

  hasPeer(id: bigint): boolean {
    return this.peers.has(id);
  }

  activePeers(): bigint[] {
    return [...this.peers].filter((id) => this.reachable(id));
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      if (!this.peers.has(m.to) || !this.reachable(m.to)) {
        this.handler?.reportUnreachable(m.to);
        continue;
      }
      const target = this.hub.members.get(m.to)!;
      setImmediate(() => target.deliver(m));
    }
  }

  sendSnapshot(m: Message, image: () => AsyncIterable<Uint8Array>): void {
    const target = this.hub.members.get(m.to);
    if (target === undefined || !this.reachable(m.to) || target.handler === undefined) {
      this.handler?.reportSnapshot(m.to, 'failure');
      return;
    }
    target.handler.receiveSnapshot(m, image(), () => undefined).then(
      () => this.handler?.reportSnapshot(m.to, 'finish'),
      () => this.handler?.reportSnapshot(m.to, 'failure'),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private reachable(id: bigint): boolean {
    const t = this.hub.members.get(id);
    return t !== undefined && !t.closed && this.hub.linkUp(this.selfId, id);
  }
}
