import { GrpcStatus } from '@tsetcd/api';
import { isSafeToRetry, neverReachedServer } from './retry-policy';

const refused = { code: GrpcStatus.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1' };
const droppedMidCall = { code: GrpcStatus.UNAVAILABLE, details: 'Connection dropped' };
const noLeader = { code: GrpcStatus.UNAVAILABLE, details: 'etcdserver: no leader' };
const compacted = { code: GrpcStatus.OUT_OF_RANGE, details: 'etcdserver: mvcc: required revision has been compacted' };
const deadline = { code: GrpcStatus.DEADLINE_EXCEEDED, details: 'Deadline exceeded' };

describe('retry safety', () => {
  test('reads are retried on any UNAVAILABLE, and only on UNAVAILABLE', () => {
    expect(isSafeToRetry('read', refused)).toBe(true);
    expect(isSafeToRetry('read', droppedMidCall)).toBe(true);
    expect(isSafeToRetry('read', noLeader)).toBe(true);
    expect(isSafeToRetry('read', compacted)).toBe(false);
    expect(isSafeToRetry('read', deadline)).toBe(false);
  });

  test('writes are retried only when the request never left the client', () => {
    expect(neverReachedServer(refused)).toBe(true);
    expect(isSafeToRetry('write', refused)).toBe(true);
    expect(isSafeToRetry('write', { code: GrpcStatus.UNAVAILABLE, details: 'there is no connection available: x' })).toBe(true);
    expect(isSafeToRetry('write', droppedMidCall)).toBe(false);
    expect(isSafeToRetry('write', noLeader)).toBe(false);
    expect(isSafeToRetry('write', deadline)).toBe(false);
    expect(isSafeToRetry('write', { code: GrpcStatus.INTERNAL, details: 'ECONNREFUSED' })).toBe(false);
  });
});
