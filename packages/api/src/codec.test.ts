import {
  Compare,
  Compare_CompareResult,
  Compare_CompareTarget,
  DeleteRangeRequest,
  Event,
  Event_EventType,
  InternalRaftRequest,
  KeyValue,
  KVDefinition,
  LeaseGrantRequest,
  PutRequest,
  RangeRequest,
  RangeRequest_SortOrder,
  RequestOp,
  Request,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchCreateRequest_FilterType,
  WatchRequest,
  etcdserverpb,
  mvccpb,
  raftpb,
  authpb,
  v3electionpb,
  v3lockpb,
  healthpb,
} from './index';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (s: string): Buffer => Buffer.from(s);

describe('etcdserverpb codecs', () => {
  test('RangeRequest encodes exactly like protoc (field tags, zero fields omitted)', () => {
    const msg = RangeRequest.fromPartial({ key: bytes('foo'), rangeEnd: Buffer.from([0]), limit: 10n });
    // 0a 03 'foo' | 12 01 00 | 18 0a
    expect(hex(RangeRequest.encode(msg).finish())).toBe('0a03666f6f12010018' + '0a');
    expect(hex(RangeRequest.encode(RangeRequest.fromPartial({})).finish())).toBe('');
  });

  test('int64 fields round-trip the extremes as bigint', () => {
    for (const revision of [INT64_MAX, INT64_MIN, -1n, 0n, 1n, 2n ** 53n + 1n]) {
      const decoded = RangeRequest.decode(RangeRequest.encode(RangeRequest.fromPartial({ key: bytes('k'), revision })).finish());
      expect(decoded.revision).toBe(revision);
      expect(typeof decoded.revision).toBe('bigint');
    }
    // a negative int64 is a 10-byte varint on the wire (proto3 int64, not zigzag)
    expect(hex(LeaseGrantRequest.encode(LeaseGrantRequest.fromPartial({ ID: -1n })).finish())).toBe('10ffffffffffffffffff01');
  });

  test('uint64 header fields round-trip up to 2^64-1', () => {
    const kv = KeyValue.fromPartial({ key: bytes('a'), createRevision: INT64_MAX, modRevision: INT64_MAX - 1n, version: 3n, value: bytes('v'), lease: INT64_MIN });
    const resp = etcdserverpb.RangeResponse.fromPartial({
      header: { clusterId: UINT64_MAX, memberId: 2n ** 63n, revision: INT64_MAX, raftTerm: 7n },
      kvs: [kv],
      count: 1n,
      more: true,
    });
    const decoded = etcdserverpb.RangeResponse.decode(etcdserverpb.RangeResponse.encode(resp).finish());
    expect(decoded).toEqual(resp);
    expect(decoded.header?.clusterId).toBe(UINT64_MAX);
  });

  test('RequestOp oneof: exactly the field that was set comes back', () => {
    const ops = [
      RequestOp.fromPartial({ requestRange: { key: bytes('a'), sortOrder: RangeRequest_SortOrder.DESCEND } }),
      RequestOp.fromPartial({ requestPut: { key: bytes('b'), value: bytes('1'), lease: INT64_MAX } }),
      RequestOp.fromPartial({ requestDeleteRange: { key: bytes('c'), rangeEnd: bytes('d'), prevKv: true } }),
    ];
    for (const op of ops) {
      const decoded = RequestOp.decode(RequestOp.encode(op).finish());
      expect(decoded).toEqual(op);
    }
    const empty = RequestOp.decode(new Uint8Array(0));
    expect(empty.requestRange ?? empty.requestPut ?? empty.requestDeleteRange ?? empty.requestTxn).toBeUndefined();
    // an empty sub-message in a oneof is still present on the wire (tag 0x12, length 0)
    expect(hex(RequestOp.encode(RequestOp.fromPartial({ requestPut: {} })).finish())).toBe('1200');
    expect(RequestOp.decode(Buffer.from('1200', 'hex')).requestPut).toBeDefined();
  });

  test('Compare target_union: a zero version is still encoded (key-absent compare)', () => {
    const cmp = Compare.fromPartial({ key: bytes('k'), target: Compare_CompareTarget.VERSION, result: Compare_CompareResult.EQUAL, version: 0n });
    // 1a 01 'k' | 20 00  (field 4 = 0, present because it is a oneof member)
    expect(hex(Compare.encode(cmp).finish())).toBe('1a016b2000');
    const decoded = Compare.decode(Compare.encode(cmp).finish());
    expect(decoded.version).toBe(0n);
    expect(decoded.createRevision).toBeUndefined();
    expect(decoded.value).toBeUndefined();

    const byValue = Compare.fromPartial({ key: bytes('k'), target: Compare_CompareTarget.VALUE, result: Compare_CompareResult.NOT_EQUAL, value: bytes('') , rangeEnd: Buffer.from([0]) });
    const d2 = Compare.decode(Compare.encode(byValue).finish());
    expect(d2.value).toEqual(Buffer.alloc(0));
    expect(d2.result).toBe(Compare_CompareResult.NOT_EQUAL);
    expect(d2.rangeEnd).toEqual(Buffer.from([0]));
    expect(d2.version).toBeUndefined();
  });

  test('nested Txn inside a Txn round-trips, and so does its response', () => {
    const inner = TxnRequest.fromPartial({
      compare: [{ key: bytes('x'), target: Compare_CompareTarget.MOD, result: Compare_CompareResult.LESS, modRevision: INT64_MAX }],
      success: [{ requestPut: { key: bytes('x'), value: bytes('1') } }],
      failure: [{ requestRange: { key: bytes('x') } }],
    });
    const outer = TxnRequest.fromPartial({
      compare: [{ key: bytes('a'), target: Compare_CompareTarget.LEASE, lease: 5n }],
      success: [{ requestTxn: inner }, { requestDeleteRange: { key: bytes('a') } }],
      failure: [],
    });
    const decoded = TxnRequest.decode(TxnRequest.encode(outer).finish());
    expect(decoded).toEqual(outer);
    expect(decoded.success[0]?.requestTxn?.compare[0]?.modRevision).toBe(INT64_MAX);

    const resp = TxnResponse.fromPartial({
      header: { revision: 9n },
      succeeded: true,
      responses: [
        { responseTxn: { succeeded: false, responses: [{ responseRange: { kvs: [{ key: bytes('x') }], count: 1n } }] } },
        { responseDeleteRange: { deleted: 1n } },
      ],
    });
    expect(TxnResponse.decode(TxnResponse.encode(resp).finish())).toEqual(resp);
    expect(ResponseOp.decode(ResponseOp.encode(resp.responses[1]!).finish()).responseDeleteRange?.deleted).toBe(1n);
  });

  test('WatchRequest oneof and packed enum filters', () => {
    const create = WatchCreateRequest.fromPartial({ key: bytes('a'), filters: [WatchCreateRequest_FilterType.NOPUT, WatchCreateRequest_FilterType.NODELETE], watchId: -1n, startRevision: 2n });
    const req = WatchRequest.fromPartial({ createRequest: create });
    const decoded = WatchRequest.decode(WatchRequest.encode(req).finish());
    expect(decoded).toEqual(req);
    expect(decoded.cancelRequest).toBeUndefined();
    // filters: field 5, packed: 2a 02 00 01
    expect(hex(WatchCreateRequest.encode(WatchCreateRequest.fromPartial({ filters: [0, 1] })).finish())).toBe('2a020001');
    // the decoder also accepts the unpacked form
    expect(WatchCreateRequest.decode(Buffer.from('28002801', 'hex')).filters).toEqual([0, 1]);
    const progress = WatchRequest.decode(WatchRequest.encode(WatchRequest.fromPartial({ progressRequest: {} })).finish());
    expect(progress.progressRequest).toEqual({});
  });

  test('InternalRaftRequest carries high field numbers and the v2 Request with tri-state bools', () => {
    const irr = InternalRaftRequest.fromPartial({
      header: { ID: UINT64_MAX, username: 'root', authRevision: 3n },
      ID: 42n,
      put: PutRequest.fromPartial({ key: bytes('k'), value: bytes('v') }),
      authRoleRevokePermission: { role: 'r', key: bytes('a'), rangeEnd: bytes('b') },
      authenticate: { name: 'u', password: 'p', simpleToken: 't.1' },
    });
    const decoded = InternalRaftRequest.decode(InternalRaftRequest.encode(irr).finish());
    expect(decoded).toEqual(irr);
    // header is field 100: tag varint (100<<3|2) = 0xa2 0x06
    expect(hex(InternalRaftRequest.encode(InternalRaftRequest.fromPartial({ header: {} })).finish())).toBe('a20600');

    const v2 = Request.fromPartial({ ID: 1n, Method: 'PUT', Path: '/1/foo', PrevExist: false, Expiration: -5n });
    const d2 = Request.decode(Request.encode(v2).finish());
    expect(d2.PrevExist).toBe(false);
    expect(d2.Refresh).toBeUndefined();
    expect(d2.Expiration).toBe(-5n);
  });

  test('DeleteRangeRequest and Event/KeyValue (mvccpb) round-trip', () => {
    const del = DeleteRangeRequest.fromPartial({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]), prevKv: true });
    expect(DeleteRangeRequest.decode(DeleteRangeRequest.encode(del).finish())).toEqual(del);
    const ev = Event.fromPartial({ type: Event_EventType.DELETE, kv: { key: bytes('k'), modRevision: 5n }, prevKv: { key: bytes('k'), value: bytes('old'), version: 2n } });
    expect(mvccpb.Event.decode(mvccpb.Event.encode(ev).finish())).toEqual(ev);
  });
});

describe('raftpb codecs (proto2 in etcd)', () => {
  test('ConfState repeated uint64 are unpacked, like etcd', () => {
    const cs = raftpb.ConfState.fromPartial({ voters: [1n, 2n], learners: [3n], autoLeave: true });
    expect(hex(raftpb.ConfState.encode(cs).finish())).toBe('0801080210032801');
    // a packed encoding (other implementations) still decodes
    expect(raftpb.ConfState.decode(Buffer.from('0a020102', 'hex')).voters).toEqual([1n, 2n]);
  });

  test('Message with entries and snapshot round-trips', () => {
    const msg = raftpb.Message.fromPartial({
      type: raftpb.MessageType.MsgApp,
      to: 2n,
      from: UINT64_MAX,
      term: 5n,
      logTerm: 4n,
      index: 100n,
      commit: 99n,
      entries: [
        { Term: 5n, Index: 101n, Type: raftpb.EntryType.EntryNormal, Data: bytes('payload') },
        { Term: 5n, Index: 102n, Type: raftpb.EntryType.EntryConfChange, Data: raftpb.ConfChange.encode(raftpb.ConfChange.fromPartial({ id: 7n, type: raftpb.ConfChangeType.ConfChangeAddLearnerNode, nodeId: 9n })).finish() as Buffer },
      ],
      snapshot: { data: bytes('snap'), metadata: { index: 50n, term: 3n, confState: { voters: [1n, 2n, 3n] } } },
      reject: true,
      rejectHint: 77n,
    });
    const decoded = raftpb.Message.decode(raftpb.Message.encode(msg).finish());
    expect(decoded.entries[1]?.Type).toBe(raftpb.EntryType.EntryConfChange);
    expect(raftpb.ConfChange.decode(decoded.entries[1]!.Data).nodeId).toBe(9n);
    expect(decoded.snapshot?.metadata?.confState?.voters).toEqual([1n, 2n, 3n]);
    expect(decoded.from).toBe(UINT64_MAX);
    expect(decoded.rejectHint).toBe(77n);
  });

  test('HardState field numbers match etcd (term=1, vote=2, commit=3)', () => {
    expect(hex(raftpb.HardState.encode(raftpb.HardState.fromPartial({ term: 1n, vote: 2n, commit: 3n })).finish())).toBe('080110021803');
  });

  test('Entry field numbers match etcd (Type=1, Term=2, Index=3, Data=4)', () => {
    const e = raftpb.Entry.decode(Buffer.from('080110021803220178', 'hex'));
    expect(e).toEqual({ Type: 1, Term: 2n, Index: 3n, Data: Buffer.from('x') });
  });
});

describe('other packages', () => {
  test('authpb User/Role round-trip', () => {
    const role = authpb.Role.fromPartial({ name: bytes('r'), keyPermission: [{ permType: authpb.Permission_Type.READWRITE, key: bytes('a'), rangeEnd: bytes('b') }] });
    expect(authpb.Role.decode(authpb.Role.encode(role).finish())).toEqual(role);
    const user = authpb.User.fromPartial({ name: bytes('u'), password: bytes('hash'), roles: ['r', 'root'], options: { noPassword: true } });
    expect(authpb.User.decode(authpb.User.encode(user).finish())).toEqual(user);
  });

  test('election, lock and health messages round-trip', () => {
    const camp = v3electionpb.CampaignResponse.fromPartial({ header: { revision: 3n }, leader: { name: bytes('e'), key: bytes('e/1'), rev: 3n, lease: INT64_MAX } });
    expect(v3electionpb.CampaignResponse.decode(v3electionpb.CampaignResponse.encode(camp).finish())).toEqual(camp);
    const lock = v3lockpb.LockResponse.fromPartial({ key: bytes('l/1') });
    expect(v3lockpb.LockResponse.decode(v3lockpb.LockResponse.encode(lock).finish())).toEqual(lock);
    const h = healthpb.HealthCheckResponse.fromPartial({ status: healthpb.HealthCheckResponse_ServingStatus.SERVING });
    expect(hex(healthpb.HealthCheckResponse.encode(h).finish())).toBe('0801');
  });

  test('flat exports are the same objects as the namespaced ones', () => {
    expect(RangeRequest).toBe(etcdserverpb.RangeRequest);
    expect(InternalRaftRequest).toBe(etcdserverpb.InternalRaftRequest);
    expect(KeyValue).toBe(mvccpb.KeyValue);
    expect(KVDefinition).toBe(etcdserverpb.KVDefinition);
  });
});
