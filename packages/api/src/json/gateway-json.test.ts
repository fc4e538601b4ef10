import {
  AlarmResponse,
  AlarmType,
  Compare,
  Compare_CompareTarget,
  Event_EventType,
  GatewayJsonError,
  KVDefinition,
  RangeRequest,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  RangeResponse,
  TxnRequest,
  WatchRequest,
  WatchResponse,
  allServiceDefinitions,
  codecFor,
  fromGatewayJson,
  messageSchemas,
  methodTypeNames,
  registeredTypeNames,
  toGatewayJson,
} from '../index';

const b = (s: string): Buffer => Buffer.from(s);

describe('gateway JSON output (gogo jsonpb, OrigName, no defaults)', () => {
  test('matches the RangeResponse observed from etcd 3.4 byte for byte', () => {
    const resp = RangeResponse.fromPartial({
      header: { clusterId: 13455796455940752355n, memberId: 443629905751424238n, revision: 2n, raftTerm: 2n },
      kvs: [{ key: b('foo'), createRevision: 2n, modRevision: 2n, version: 1n, value: b('bar') }],
      count: 1n,
    });
    expect(JSON.stringify(toGatewayJson('etcdserverpb.RangeResponse', resp))).toBe(
      '{"header":{"cluster_id":"13455796455940752355","member_id":"443629905751424238","revision":"2","raft_term":"2"},' +
        '"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}',
    );
  });

  test('watch responses: enum names, PUT omitted, negative ids as strings', () => {
    const del = WatchResponse.fromPartial({
      header: { revision: 4n },
      events: [{ type: Event_EventType.DELETE, kv: { key: b('foo'), modRevision: 4n } }, { kv: { key: b('a'), value: b('v') } }],
    });
    expect(JSON.stringify(toGatewayJson('etcdserverpb.WatchResponse', del))).toBe(
      '{"header":{"revision":"4"},"events":[{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"4"}},{"kv":{"key":"YQ==","value":"dg=="}}]}',
    );
    const dup = WatchResponse.fromPartial({ watchId: -1n, created: true, canceled: true, cancelReason: 'mvcc: duplicate watch ID provided on the WatchStream' });
    expect(toGatewayJson('etcdserverpb.WatchResponse', dup)).toEqual({
      watch_id: '-1',
      created: true,
      canceled: true,
      cancel_reason: 'mvcc: duplicate watch ID provided on the WatchStream',
    });
    expect(toGatewayJson('etcdserverpb.WatchResponse', WatchResponse.fromPartial({}))).toEqual({});
  });

  test('empty nested messages and zero-valued oneof members are present', () => {
    expect(toGatewayJson('etcdserverpb.WatchRequest', WatchRequest.fromPartial({ progressRequest: {} }))).toEqual({ progress_request: {} });
    const cmp = Compare.fromPartial({ key: b('k'), target: Compare_CompareTarget.VERSION, version: 0n });
    expect(JSON.stringify(toGatewayJson('etcdserverpb.Compare', cmp))).toBe('{"key":"aw==","version":"0"}');
  });

  test('camelCase proto names stay as declared; uint32 stays a number', () => {
    const alarms = AlarmResponse.fromPartial({ alarms: [{ memberID: 18446744073709551615n, alarm: AlarmType.NOSPACE }] });
    expect(JSON.stringify(toGatewayJson('etcdserverpb.AlarmResponse', alarms))).toBe('{"alarms":[{"memberID":"18446744073709551615","alarm":"NOSPACE"}]}');
    const hash = codecFor('etcdserverpb.HashResponse').fromPartial({ hash: 3106136426 });
    expect(JSON.stringify(toGatewayJson('etcdserverpb.HashResponse', hash))).toBe('{"hash":3106136426}');
  });

  test('etcdctl-style options: numbers for int64 and enums', () => {
    const resp = RangeResponse.fromPartial({ header: { revision: 7n }, count: 1n });
    expect(toGatewayJson('etcdserverpb.RangeResponse', resp, { int64AsString: false })).toEqual({ header: { revision: 7 }, count: 1 });
    const ev = WatchResponse.fromPartial({ events: [{ type: Event_EventType.DELETE, kv: { key: b('x') } }] });
    expect(toGatewayJson('etcdserverpb.WatchResponse', ev, { enumsAsNames: false })).toEqual({ events: [{ type: 1, kv: { key: 'eA==' } }] });
  });
});

describe('gateway JSON input', () => {
  test('accepts proto and camel names, ints as numbers or strings, enums by name or number', () => {
    const req = fromGatewayJson<RangeRequest>('etcdserverpb.RangeRequest', {
      key: 'Zm9v',
      range_end: 'AA==',
      limit: '10',
      revision: 3,
      sort_order: 'DESCEND',
      sort_target: 2,
      countOnly: true,
      unknown_field: 'ignored',
      keys_only: null,
    });
    expect(req).toEqual(
      RangeRequest.fromPartial({
        key: b('foo'),
        rangeEnd: Buffer.from([0]),
        limit: 10n,
        revision: 3n,
        sortOrder: RangeRequest_SortOrder.DESCEND,
        sortTarget: RangeRequest_SortTarget.CREATE,
        countOnly: true,
      }),
    );
  });

  test('round-trips a nested Txn through JSON', () => {
    const txn = TxnRequest.fromPartial({
      compare: [{ key: b('a'), version: 0n }, { key: b('b'), target: Compare_CompareTarget.VALUE, value: b('') }],
      success: [{ requestTxn: { success: [{ requestPut: { key: b('x'), value: b('1'), lease: 9223372036854775807n } }] } }],
      failure: [{ requestRange: { key: b('a'), rangeEnd: b('b') } }, { requestDeleteRange: { key: b('c') } }],
    });
    const json = JSON.parse(JSON.stringify(toGatewayJson('etcdserverpb.TxnRequest', txn)));
    expect(fromGatewayJson('etcdserverpb.TxnRequest', json)).toEqual(txn);
  });

  test('rejects what the gateway rejects', () => {
    const bad = (json: unknown, msg: RegExp | string) => {
      expect(() => fromGatewayJson('etcdserverpb.RangeRequest', json)).toThrow(GatewayJsonError);
      expect(() => fromGatewayJson('etcdserverpb.RangeRequest', json)).toThrow(msg);
    };
    bad({ key: 'Zm9' }, 'illegal base64 data at input byte 0');
    bad({ key: 'Zm_v' }, 'illegal base64 data at input byte 2');
    bad({ key: 'dg=' }, 'illegal base64 data at input byte 3');
    bad({ serializable: 'true' }, /cannot unmarshal string into Go value of type bool/);
    bad({ limit: 1.5 }, /cannot unmarshal number/);
    bad({ limit: '9223372036854775808' }, /out of range/);
    bad({ sort_order: 'SIDEWAYS' }, /unknown value "SIDEWAYS"/);
    bad([], /cannot unmarshal array/);
    expect(() => fromGatewayJson('etcdserverpb.TxnRequest', { compare: {} })).toThrow(/cannot unmarshal object/);
  });
});

describe('schema table', () => {
  test('covers every registered message and matches the ts-proto property names', () => {
    const types = registeredTypeNames();
    expect(types.length).toBeGreaterThan(120);
    expect(Object.keys(messageSchemas).sort()).toEqual(types);
    for (const t of types) {
      const props = Object.keys(codecFor(t).create()).sort();
      expect([t, props]).toEqual([t, messageSchemas[t]!.map((f) => f.prop).sort()]);
    }
  });

  test('every RPC of every service maps to registered request/response names', () => {
    expect(methodTypeNames(KVDefinition, 'range')).toEqual({ request: 'etcdserverpb.RangeRequest', response: 'etcdserverpb.RangeResponse' });
    for (const def of allServiceDefinitions) {
      for (const key of Object.keys(def.methods)) {
        const { request, response } = methodTypeNames(def, key);
        expect(messageSchemas[request]).toBeDefined();
        expect(messageSchemas[response]).toBeDefined();
      }
    }
  });
});
