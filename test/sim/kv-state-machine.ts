// The tiny replicated state machine on top of the simulated cluster: a string map driven by
// put / cas commands (and get, when reads go through the log). Commands carry a unique id; one
// applied twice (a duplicated proposal) is skipped, deterministically on every member.

export type KvCommand =
  | { readonly id: number; readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly id: number; readonly kind: 'cas'; readonly key: string; readonly from: string | null; readonly to: string }
  | { readonly id: number; readonly kind: 'get'; readonly key: string };

export type KvResult =
  | { readonly kind: 'put' }
  | { readonly kind: 'cas'; readonly succeeded: boolean }
  | { readonly kind: 'get'; readonly value: string | null };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd));
}

export function decodeCommand(data: Uint8Array): KvCommand | undefined {
  if (data.length === 0) return undefined; // a leader's empty no-op entry
  return JSON.parse(decoder.decode(data)) as KvCommand;
}

export class KvStateMachine {
  private readonly data = new Map<string, string>();
  private readonly appliedIds = new Set<number>();

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Returns undefined for a command already applied once. */
  apply(cmd: KvCommand): KvResult | undefined {
    if (this.appliedIds.has(cmd.id)) return undefined;
    this.appliedIds.add(cmd.id);
    switch (cmd.kind) {
      case 'put':
        this.data.set(cmd.key, cmd.value);
        return { kind: 'put' };
      case 'cas': {
        const succeeded = this.get(cmd.key) === cmd.from;
        if (succeeded) this.data.set(cmd.key, cmd.to);
        return { kind: 'cas', succeeded };
      }
      case 'get':
        return { kind: 'get', value: this.get(cmd.key) };
    }
  }

  /** The state as snapshot data (raft Snapshot.data). */
  toSnapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ data: [...this.data.entries()], ids: [...this.appliedIds] }));
  }

  static fromSnapshot(bytes: Uint8Array): KvStateMachine {
    const sm = new KvStateMachine();
    if (bytes.length === 0) return sm;
    const img = JSON.parse(decoder.decode(bytes)) as { data: [string, string][]; ids: number[] };
    for (const [k, v] of img.data) sm.data.set(k, v);
    for (const id of img.ids) sm.appliedIds.add(id);
    return sm;
  }

  /** A canonical image, to compare members after the run. */
  image(): string {
    return JSON.stringify([...this.data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
