// Compactions and reads around them. Fresh store (revision 1).
import { E } from './etcd-messages';
import { compact, del, fails, hashKV, put, range, shape, step, txn, opRange, type Step } from './steps';

export const compactionSteps: readonly Step[] = [
  step('put c=1', put('c', '1')), // rev 2
  step('put c=2', put('c', '2')), // rev 3
  step('put c=3', put('c', '3')), // rev 4
  step('put d=1', put('d', '1')), // rev 5
  step('put c=4', put('c', '4')), // rev 6
  step('delete d', del('d')), // rev 7
  step('compact at 4', compact(4n)),
  fails('get c at 3 (compacted)', range('c', { revision: 3n }), E.compacted),
  fails('get c at 1 (compacted)', range('c', { revision: 1n }), E.compacted),
  step('get c at 4 (the compact revision itself)', range('c', { revision: 4n })),
  step('get c at 5', range('c', { revision: 5n })),
  step('range all at 6 (d still there)', range('\x00', { end: '\x00', revision: 6n })),
  step('range all now', range('\x00', { end: '\x00' })),
  fails('get at 8 (future)', range('c', { revision: 8n }), E.futureRev),
  fails('compact at 4 again', compact(4n), E.compacted),
  fails('compact below the compact revision', compact(2n), E.compacted),
  fails('compact in the future', compact(100n), E.futureRev),
  fails('compact at current+1', compact(8n), E.futureRev),
  fails('HashKV at the compact revision', hashKV(4n), E.compacted),
  shape('HashKV just above the compact revision', hashKV(5n)),
  shape('HashKV at current', hashKV(0n)),
  fails('HashKV below the compact revision', hashKV(3n), E.compacted),
  fails('HashKV in the future', hashKV(50n), E.futureRev),
  fails('txn range at a compacted revision', txn({ success: [opRange('c', { revision: 2n })] }), E.compacted),
  step('compact physical at 7 (the delete)', compact(7n, true)),
  step('range all at 7 after compacting the delete', range('\x00', { end: '\x00', revision: 7n })),
  fails('get d at 6 now compacted', range('d', { revision: 6n }), E.compacted),
  step('version of c survives compaction', range('c')),
  step('put c=5 after compaction', put('c', '5', { prevKv: true })), // rev 8
  step('compact at current', compact(8n)),
  step('range at the only remaining revision', range('c', { revision: 8n })),
  step('count_only after compaction', range('\x00', { end: '\x00', countOnly: true })),
  fails('compact at 0', compact(0n), E.compacted),
];
