import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlarmType } from '@tsetcd/api';
import { Backend } from '../backend/backend';
import { AlarmStore } from './alarm-store';
import { bootstrapCluster, decodeMemberJson, encodeMemberJson, Membership } from './membership';

describe('membership', () => {
  it('encodes etcd member JSON with a uint64 id that JSON numbers cannot hold', () => {
    const m = { id: 10276657743932975437n, name: 'default', peerUrls: ['http://localhost:2380'], clientUrls: ['http://localhost:2379'], isLearner: false };
    const text = new TextDecoder().decode(encodeMemberJson(m));
    expect(text).toBe('{"id":10276657743932975437,"peerURLs":["http://localhost:2380"],"name":"default","clientURLs":["http://localhost:2379"]}');
    expect(decodeMemberJson(encodeMemberJson(m))).toEqual(m);
  });

  it('bootstraps ids from --initial-cluster and refuses a missing local name or bad URL', () => {
    const c = bootstrapCluster(new Map([['default', ['http://localhost:2380']]]), 'etcd-cluster', 'default', ['http://localhost:2379']);
    expect(c.clusterId).toBe(14841639068965178418n);
    expect(c.members[0]!.id).toBe(10276657743932975437n);
    expect(() => bootstrapCluster(new Map([['a', ['http://h:2380']]]), 't', 'b', [])).toThrow(/couldn't find local name "b"/);
    expect(() => bootstrapCluster(new Map([['a', ['not a url']]]), 't', 'a', [])).toThrow(/invalid peer URL/);
  });

  it('persists members and alarms in the backend and loads them back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-membership-'));
    try {
      let be = Backend.open(path.join(dir, 'db'));
      const c = bootstrapCluster(new Map([['n1', ['http://a:2380']]]), 't', 'n1', ['http://a:2379']);
      const ms = new Membership(c.clusterId, c.members);
      const alarms = new AlarmStore(be.readTx());
      be.batchTx((tx) => {
        ms.save(tx, '3.4.0');
        alarms.activate(tx, 7n, AlarmType.NOSPACE);
        alarms.activate(tx, 7n, AlarmType.CORRUPT);
        alarms.deactivate(tx, 7n, AlarmType.CORRUPT);
      });
      await be.close();
      be = Backend.open(path.join(dir, 'db'));
      expect(Membership.load(c.clusterId, be.readTx()).toProto()).toEqual(ms.toProto());
      const loaded = new AlarmStore(be.readTx());
      expect(loaded.get(AlarmType.NONE)).toEqual([{ memberID: 7n, alarm: AlarmType.NOSPACE }]);
      expect(loaded.has(AlarmType.CORRUPT)).toBe(false);
      await be.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
