// Membership changes on a single member (the cases etcd allows there): add a learner, refuse
// what etcd refuses, update, remove; the changes survive a restart.

import * as fs from 'node:fs';
import {
  ErrLearnerNotReady,
  ErrMemberBadURLs,
  ErrMemberNotFound,
  ErrMemberNotLearner,
  ErrPeerURLExist,
  ErrTooManyLearners,
} from '@tsetcd/api';
import { ctx, putReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(30_000);

describe('member: cluster membership changes', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('adds a learner, refuses etcd-refused changes, updates and removes it', async () => {
    const dir = tempDir('cluster');
    dirs.push(dir);
    let s = await startMember(dir);
    const self = s.identity.memberId;
    const add = await s.memberAdd({ peerURLs: ['http://127.0.0.1:1'], isLearner: true }, ctx());
    const learner = add.member!.ID;
    expect(add.header!.revision).toBe(0n);
    expect(add.member).toEqual({ ID: learner, name: '', peerURLs: ['http://127.0.0.1:1'], clientURLs: [], isLearner: true });
    expect(add.members.map((m) => m.ID).sort()).toEqual([self, learner].sort());
    expect((await s.memberList(ctx())).members).toHaveLength(2);

    await expect(s.memberAdd({ peerURLs: ['http://127.0.0.1:3'], isLearner: true }, ctx())).rejects.toBeInstanceOf(ErrTooManyLearners);
    await expect(s.memberAdd({ peerURLs: ['http://localhost:2380'], isLearner: true }, ctx())).rejects.toBeInstanceOf(ErrPeerURLExist);
    await expect(s.memberAdd({ peerURLs: ['not a url'], isLearner: true }, ctx())).rejects.toBeInstanceOf(ErrMemberBadURLs);
    await expect(s.memberPromote({ ID: learner }, ctx())).rejects.toBeInstanceOf(ErrLearnerNotReady);
    await expect(s.memberPromote({ ID: self }, ctx())).rejects.toBeInstanceOf(ErrMemberNotLearner);
    await expect(s.memberPromote({ ID: 0x1234n }, ctx())).rejects.toBeInstanceOf(ErrMemberNotFound);
    await expect(s.memberUpdate({ ID: 0x1234n, peerURLs: ['http://127.0.0.1:4'] }, ctx())).rejects.toBeInstanceOf(ErrMemberNotFound);
    await expect(s.memberRemove({ ID: 0x1234n }, ctx())).rejects.toBeInstanceOf(ErrMemberNotFound);

    const upd = await s.memberUpdate({ ID: learner, peerURLs: ['http://127.0.0.1:5'] }, ctx());
    // etcd 3.4 lists an updated learner as a voter (its raft attributes are replaced wholesale);
    // observed against etcd 3.4.23 by test/compat/cluster.diff.
    expect(upd.members.find((m) => m.ID === learner)).toEqual({ ID: learner, name: '', peerURLs: ['http://127.0.0.1:5'], clientURLs: [], isLearner: false });
    // the single voter keeps serving writes with a learner in the configuration
    await s.put(putReq('k', 'v'), ctx());
    await s.close();

    s = await startMember(dir);
    try {
      expect((await s.memberList(ctx())).members.find((m) => m.ID === learner)?.peerURLs).toEqual(['http://127.0.0.1:5']);
      const rm = await s.memberRemove({ ID: learner }, ctx());
      expect(rm.members.map((m) => m.ID)).toEqual([self]);
      await expect(s.memberRemove({ ID: learner }, ctx())).rejects.toBeInstanceOf(ErrMemberNotFound);
      await s.put(putReq('k', 'v2'), ctx());
    } finally {
      await s.close();
    }
    s = await startMember(dir);
    try {
      expect((await s.memberList(ctx())).members.map((m) => m.ID)).toEqual([self]);
      await s.put(putReq('k', 'v3'), ctx());
    } finally {
      await s.close();
    }
  });
});
