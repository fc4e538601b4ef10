// The differential harness itself: every sequence run on two independent real etcds must show
// zero differences — proof that normalize() masks exactly what legitimately differs between
// clusters (and nothing a client could observe in one member's answers is left to chance).
import { authSteps } from './diff/auth-steps';
import { clusterSteps } from './diff/cluster-steps';
import { compactionSteps } from './diff/compaction-steps';
import { defineDiffSuite } from './diff/harness';
import { kvSteps } from './diff/kv-steps';
import { leaseSteps } from './diff/lease-steps';
import { maintenanceSteps } from './diff/maintenance-steps';
import { txnSteps } from './diff/txn-steps';
import { defineWatchSuite } from './diff/watch-harness';
import { watchItems } from './diff/watch-steps';

defineDiffSuite('self-check kv', kvSteps, { target: 'etcd' });
defineDiffSuite('self-check txn', txnSteps, { target: 'etcd' });
defineDiffSuite('self-check compaction', compactionSteps, { target: 'etcd' });
defineDiffSuite('self-check maintenance', maintenanceSteps, { target: 'etcd' });
defineDiffSuite('self-check lease', leaseSteps, { target: 'etcd' });
defineDiffSuite('self-check cluster', clusterSteps, { target: 'etcd' });
defineDiffSuite('self-check auth', authSteps, { target: 'etcd' });
defineWatchSuite('self-check watch', watchItems, { target: 'etcd' });
