// Active alarms (NOSPACE, CORRUPT) per member, persisted in the backend's `alarm` bucket the way
// etcd does it: key = the marshalled AlarmMember, empty value. Changed only by the apply loop.

import { AlarmMember, AlarmType } from '@tsetcd/api';
import type { BatchTx, ReadTx } from '../backend/backend';

const EMPTY = new Uint8Array(0);

function alarmKey(memberId: bigint, type: AlarmType): string {
  return `${memberId}:${type}`;
}

export class AlarmStore {
  private readonly active = new Map<string, AlarmMember>();

  /** Loads the alarms a previous run persisted. */
  constructor(tx: ReadTx) {
    for (const { key } of tx.range('alarm', EMPTY)) {
      const m = AlarmMember.decode(key);
      this.active.set(alarmKey(m.memberID, m.alarm), m);
    }
  }

  /** Activates; returns the alarm (etcd returns it even when it was already active). */
  activate(tx: BatchTx, memberId: bigint, type: AlarmType): AlarmMember {
    const m: AlarmMember = { memberID: memberId, alarm: type };
    const k = alarmKey(memberId, type);
    if (!this.active.has(k)) {
      tx.put('alarm', AlarmMember.encode(m).finish(), EMPTY);
      this.active.set(k, m);
    }
    return m;
  }

  /** Deactivates; returns the alarm that was removed, or undefined if it was not active. */
  deactivate(tx: BatchTx, memberId: bigint, type: AlarmType): AlarmMember | undefined {
    const k = alarmKey(memberId, type);
    const m = this.active.get(k);
    if (m === undefined) return undefined;
    tx.delete('alarm', AlarmMember.encode(m).finish());
    this.active.delete(k);
    return m;
  }

  /** All alarms of `type` (NONE = every alarm). */
  get(type: AlarmType): AlarmMember[] {
    const all = [...this.active.values()];
    return type === AlarmType.NONE ? all : all.filter((m) => m.alarm === type);
  }

  has(type: AlarmType): boolean {
    for (const m of this.active.values()) if (m.alarm === type) return true;
    return false;
  }
}
