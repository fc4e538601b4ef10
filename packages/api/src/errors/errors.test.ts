import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EtcdError,
  ErrCompacted,
  ErrKeyNotFound,
  ErrMessageTooLarge,
  ErrPermissionDenied,
  ErrTooManyRequests,
  GrpcStatus,
  WatchCancelReason,
  errorClassForMessage,
  errorClassForName,
  errorFromStatus,
  etcdErrorClasses,
  grpcErrorText,
  grpcStatusName,
  isEtcdError,
  toGrpcStatus,
  watchCancelReasonFor,
} from '../index';

// shared/spec/v3-errors.md, as [code, message]: every fixed-message gRPC error etcd 3.4 returns.
const specTable: Array<[number, string]> = [
  [3, 'etcdserver: key is not provided'],
  [3, 'etcdserver: key not found'],
  [3, 'etcdserver: value is provided'],
  [3, 'etcdserver: lease is provided'],
  [3, 'etcdserver: too many operations in txn request'],
  [3, 'etcdserver: duplicate key given in txn request'],
  [11, 'etcdserver: mvcc: required revision has been compacted'],
  [11, 'etcdserver: mvcc: required revision is a future revision'],
  [8, 'etcdserver: mvcc: database space exceeded'],
  [3, 'etcdserver: request is too large'],
  [2, 'etcdserver: too many requests'],
  [15, 'etcdserver: corrupt cluster'],
  [5, 'etcdserver: requested lease not found'],
  [9, 'etcdserver: lease already exists'],
  [11, 'etcdserver: too large lease TTL'],
  [1, 'etcdserver: watch canceled'],
  [9, 'etcdserver: member ID already exist'],
  [9, 'etcdserver: Peer URLs already exists'],
  [2, 'etcdserver: re-configuration failed due to not enough started members'],
  [3, 'etcdserver: given member URLs are invalid'],
  [5, 'etcdserver: member not found'],
  [9, 'etcdserver: can only promote a learner member'],
  [9, 'etcdserver: can only promote a learner member which is in sync with leader'],
  [9, 'etcdserver: too many learner members in cluster'],
  [14, 'etcdserver: rpc not supported for learner'],
  [9, 'etcdserver: not leader'],
  [9, 'etcdserver: bad leader transferee'],
  [9, 'etcdserver: root user does not exist'],
  [9, 'etcdserver: root user does not have root role'],
  [9, 'etcdserver: user name already exists'],
  [3, 'etcdserver: user name is empty'],
  [9, 'etcdserver: user name not found'],
  [9, 'etcdserver: role name already exists'],
  [9, 'etcdserver: role name not found'],
  [3, 'etcdserver: role name is empty'],
  [3, 'etcdserver: authentication failed, invalid user ID or password'],
  [7, 'etcdserver: permission denied'],
  [9, 'etcdserver: role is not granted to the user'],
  [9, 'etcdserver: permission is not granted to the role'],
  [9, 'etcdserver: authentication is not enabled'],
  [16, 'etcdserver: invalid auth token'],
  [3, 'etcdserver: invalid auth management'],
  [3, 'etcdserver: revision of auth store is old'],
  [2, 'auth: permission denied'],
  [2, 'auth: user name is empty'],
  [2, 'auth: user not found'],
  [2, 'auth: authentication failed, password was given for no password user'],
  [14, 'etcdserver: no leader'],
  [14, 'etcdserver: leader changed'],
  [14, 'etcdserver: not capable'],
  [14, 'etcdserver: server stopped'],
  [14, 'etcdserver: request timed out'],
  [14, 'etcdserver: request timed out, possibly due to previous leader failure'],
  [14, 'etcdserver: request timed out, possibly due to connection lost'],
  [14, 'etcdserver: request timed out, waiting for the applied index took too long'],
  [14, 'etcdserver: unhealthy cluster'],
  [2, 'etcdserver: request cancelled'],
  [2, 'election: no leader'],
  [2, 'election: not leader'],
  [2, '"leader" field must be provided'],
];

/** Rows `| <CodeName> <n> ... | \`message\`... |` of the spec file, when shared/ is beside the repo. */
function parseSpec(text: string): Array<[number, string]> {
  const rows: Array<[number, string]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').map((c) => c.trim());
    const codeCell = cells[1] ?? '';
    const m = /^([A-Z][A-Za-z]+) (\d+)\b/.exec(codeCell);
    if (m === null || grpcStatusName(Number(m[2])) !== m[1]) continue;
    for (const msg of (cells[2] ?? '').matchAll(/`([^`]+)`/g)) {
      const text = msg[1]!;
      if (text.includes('<')) continue; // placeholders: grpc-go's size message, raw error text
      rows.push([Number(m[2]), text]);
    }
  }
  return rows;
}

describe('error table', () => {
  test('every spec error is in the table with its exact message and gRPC code', () => {
    for (const [code, message] of specTable) {
      const cls = errorClassForMessage(message);
      expect([message, cls?.code]).toEqual([message, code]);
    }
    expect(etcdErrorClasses).toHaveLength(specTable.length);
  });

  const specPath = path.resolve(__dirname, '../../../../../shared/spec/v3-errors.md');
  const specTest = fs.existsSync(specPath) ? test : test.skip;
  specTest('the table agrees with shared/spec/v3-errors.md parsed directly', () => {
    const parsed = parseSpec(fs.readFileSync(specPath, 'utf8'));
    expect(parsed.length).toBeGreaterThan(50);
    for (const [code, message] of parsed) {
      expect([message, errorClassForMessage(message)?.code]).toEqual([message, code]);
    }
  });

  test('names and messages are unique; instances carry code, message and name', () => {
    expect(new Set(etcdErrorClasses.map((c) => c.text)).size).toBe(etcdErrorClasses.length);
    expect(new Set(etcdErrorClasses.map((c) => c.errorName)).size).toBe(etcdErrorClasses.length);
    for (const cls of etcdErrorClasses) {
      const err = new cls();
      expect(err).toBeInstanceOf(EtcdError);
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(cls);
      expect(isEtcdError(err)).toBe(true);
      expect(err.code).toBe(cls.code);
      expect(err.message).toBe(cls.text);
      expect(err.name).toBe(cls.errorName);
      expect(cls.name).toBe(cls.errorName);
      expect(errorClassForName(cls.errorName)).toBe(cls);
    }
    expect(new ErrKeyNotFound()).not.toBeInstanceOf(ErrCompacted);
  });

  test('client direction: errorFromStatus maps by message, falls back to a generic EtcdError', () => {
    for (const cls of etcdErrorClasses) {
      const err = errorFromStatus(cls.code, cls.text);
      expect(err).toBeInstanceOf(cls);
    }
    const unknown = errorFromStatus(GrpcStatus.UNAVAILABLE, 'some new failure');
    expect(unknown.constructor).toBe(EtcdError);
    expect(unknown.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(unknown.message).toBe('some new failure');
    expect(isEtcdError(new Error('x'))).toBe(false);
  });

  test('server direction: toGrpcStatus gives the table code, Unknown for anything else', () => {
    expect(toGrpcStatus(new ErrTooManyRequests())).toEqual({ code: GrpcStatus.UNKNOWN, message: 'etcdserver: too many requests' });
    expect(toGrpcStatus(new ErrCompacted())).toEqual({ code: GrpcStatus.OUT_OF_RANGE, message: 'etcdserver: mvcc: required revision has been compacted' });
    expect(toGrpcStatus(new Error('election: boom'))).toEqual({ code: GrpcStatus.UNKNOWN, message: 'election: boom' });
    expect(toGrpcStatus('raw')).toEqual({ code: GrpcStatus.UNKNOWN, message: 'raw' });
  });

  test("grpc-go's message-too-large text round-trips", () => {
    const err = new ErrMessageTooLarge(3000000, 2097152);
    expect(err.message).toBe('grpc: received message larger than max (3000000 vs. 2097152)');
    expect(err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    const back = errorFromStatus(8, err.message);
    expect(back).toBeInstanceOf(ErrMessageTooLarge);
    expect((back as ErrMessageTooLarge).limitBytes).toBe(2097152);
  });

  test('status names and watch cancel reasons use grpc-go spelling', () => {
    expect(Array.from({ length: 17 }, (_, i) => grpcStatusName(i))).toEqual([
      'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
      'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange',
      'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
    ]);
    expect(watchCancelReasonFor(new ErrPermissionDenied())).toBe('rpc error: code = PermissionDenied desc = etcdserver: permission denied');
    expect(grpcErrorText(GrpcStatus.UNAUTHENTICATED, 'etcdserver: invalid auth token')).toBe('rpc error: code = Unauthenticated desc = etcdserver: invalid auth token');
    expect(WatchCancelReason.watcherRangeEmpty).toBe('mvcc: watcher range is empty');
    expect(WatchCancelReason.duplicateWatchId).toBe('mvcc: duplicate watch ID provided on the WatchStream');
  });
});
