// Maintenance and Cluster answers (compared by shape: which fields a server fills in), and the
// request-size limit. Fresh store (revision 1).
import { PutRequest } from '@tsetcd/api';
import { E } from './etcd-messages';
import { alarmList, fails, hash, hashKV, memberList, put, range, shape, step, type Step } from './steps';

/** etcd's default --max-request-bytes (1.5 MiB). */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** grpc-go's receive limit on etcd's client port: max-request-bytes + 512 KiB. */
export const GRPC_RECEIVE_BYTES_MAX = MAX_REQUEST_BYTES + 512 * 1024;

const HUGE = put('huge', 'x'.repeat(GRPC_RECEIVE_BYTES_MAX + 1024));
const HUGE_ENCODED_BYTES = PutRequest.encode(PutRequest.fromPartial(HUGE.request as Record<string, unknown>)).finish().length;

export const maintenanceSteps: readonly Step[] = [
  shape('Status on an empty store', { service: 'Maintenance', method: 'status', request: {} }),
  shape('MemberList', memberList()),
  shape('HashKV at current', hashKV(0n)),
  shape('Hash', hash()),
  step('alarm list (none)', alarmList()),
  step('put k=v', put('k', 'v')),
  shape('Status after a write', { service: 'Maintenance', method: 'status', request: {} }),
  step('value just under the request limit', put('big-ok', 'x'.repeat(MAX_REQUEST_BYTES - 1024))),
  fails('value just over the request limit', put('big', 'x'.repeat(MAX_REQUEST_BYTES + 1)), E.requestTooLarge),
  fails('value just under the gRPC receive limit', put('big2', 'x'.repeat(GRPC_RECEIVE_BYTES_MAX - 64)), E.requestTooLarge),
  fails(
    'value over the gRPC receive limit',
    HUGE,
    `grpc: received message larger than max (${HUGE_ENCODED_BYTES} vs. ${GRPC_RECEIVE_BYTES_MAX})`,
  ),
  step('nothing oversized was stored', range('big', { end: 'bih', keysOnly: true })),
  step('range returning the large value', range('big-ok', { countOnly: true })),
];
