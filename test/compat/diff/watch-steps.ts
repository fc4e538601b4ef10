// One watch stream through history replay, prefixes, prev_kv, filters, txns, cancel, explicit
// and duplicate ids, empty ranges, compaction, progress requests. Fresh store (revision 1).
import { WatchCreateRequest_FilterType } from '@tsetcd/api';
import { bytes, compact, del, opPut, prefixEnd, put, txn } from './steps';
import type { WatchItem } from './watch-harness';

interface CreateOptions {
  end?: string;
  startRevision?: bigint;
  prevKv?: boolean;
  filters?: WatchCreateRequest_FilterType[];
  watchId?: bigint;
  progressNotify?: boolean;
}

const create = (key: string, o: CreateOptions = {}): Record<string, unknown> => ({
  createRequest: {
    key: bytes(key),
    rangeEnd: bytes(o.end ?? ''),
    startRevision: o.startRevision ?? 0n,
    prevKv: o.prevKv ?? false,
    filters: o.filters ?? [],
    watchId: o.watchId ?? 0n,
    progressNotify: o.progressNotify ?? false,
  },
});
const cancel = (watchId: bigint): Record<string, unknown> => ({ cancelRequest: { watchId } });
const progress = (): Record<string, unknown> => ({ progressRequest: {} });
const W_END = prefixEnd('w/');

export const watchItems: readonly WatchItem[] = [
  { name: 'put w/a=1', call: put('w/a', '1') }, // rev 2
  { name: 'put w/b=1', call: put('w/b', '1') }, // rev 3
  { name: 'put w/a=2', call: put('w/a', '2') }, // rev 4
  { name: 'delete w/b', call: del('w/b') }, // rev 5
  { name: 'watch w/a (id 0)', send: create('w/a'), units: 1 },
  { name: 'put w/a=3: one event', call: put('w/a', '3'), units: 1 }, // rev 6
  { name: 'watch prefix w/ with prev_kv (id 1)', send: create('w/', { end: W_END, prevKv: true }), units: 1 },
  { name: 'put w/c=1: only the prefix watch', call: put('w/c', '1'), units: 1 }, // rev 7
  { name: 'put w/a=4: both watches, prev_kv on one', call: put('w/a', '4'), units: 2 }, // rev 8
  { name: 'watch prefix w/ from revision 2 (id 2): history replay', send: create('w/', { end: W_END, startRevision: 2n }), units: 8 },
  { name: 'watch w/ prefix with NOPUT (id 3)', send: create('w/', { end: W_END, filters: [WatchCreateRequest_FilterType.NOPUT] }), units: 1 },
  { name: 'delete w/a: four watches', call: del('w/a'), units: 4 }, // rev 9
  { name: 'put w/a=5: NOPUT watch silent', call: put('w/a', '5'), units: 3 }, // rev 10
  { name: 'watch w/a with NODELETE (id 4)', send: create('w/a', { filters: [WatchCreateRequest_FilterType.NODELETE] }), units: 1 },
  { name: 'txn putting w/a and w/d in one revision', call: txn({ success: [opPut('w/a', '6'), opPut('w/d', '1')] }), units: 6 }, // rev 11
  { name: 'cancel watch 0', send: cancel(0n), units: 1 },
  { name: 'put w/a=7 after the cancel', call: put('w/a', '7'), units: 3 }, // rev 12
  { name: 'watch with explicit id 100 on w/z', send: create('w/z', { watchId: 100n }), units: 1 },
  { name: 'watch with the duplicate id 100', send: create('w/y', { watchId: 100n }), units: 1 },
  { name: 'watch with key after range_end', send: create('w/b', { end: 'w/a' }), units: 1 },
  { name: 'watch from the future revision 100 on w/f', send: create('w/f', { startRevision: 100n }), units: 1 },
  { name: 'put w/z: explicit-id watch and prefixes', call: put('w/z', '1'), units: 3 }, // rev 13
  { name: 'compact at 10', call: compact(10n) },
  { name: 'watch from the compacted revision 5', send: create('w/', { end: W_END, startRevision: 5n }), units: 2 },
  { name: 'watch from the compact revision itself', send: create('w/a', { startRevision: 10n }), units: 4 },
  { name: 'progress request', send: progress(), units: 1 },
  { name: 'cancel an unknown watch id', send: cancel(999n), units: 0 },
  { name: 'put w/f at 14 (below the future watch)', call: put('w/f', '1'), units: 2 }, // rev 14
  { name: 'watch from w/ to the end ("\\x00") with prev_kv (id 8)', send: create('w/', { end: '\x00', prevKv: true }), units: 1 },
  { name: 'delete the whole w/ prefix: one revision, many events', call: del('w/', { end: W_END }), units: 22 }, // rev 15
  { name: 'cancel the prefix watches 1, 2, 3', send: cancel(1n), units: 1 },
  { name: 'cancel 2', send: cancel(2n), units: 1 },
  { name: 'cancel 3', send: cancel(3n), units: 1 },
  { name: 'put x (outside w/, inside watch 8)', call: put('x', '1'), units: 1 }, // rev 16
  { name: 'drain: nothing else arrives', units: 0 },
];
