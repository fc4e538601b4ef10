import { ErrMemberBadURLs, ErrMemberExist, ErrMemberNotFound, ErrMemberNotLearner, ErrPeerURLExist, ErrTooManyLearners } from '@tsetcd/api';
import { ConfChangeType } from '../raft/types';
import { learnerReady, promoteContext, replayedChangeStands, validateConfChange, validatePeerUrls } from './conf-change';
import { encodeMemberJson, Membership, type MemberRecord } from './membership';

const voter: MemberRecord = { id: 1n, name: 'a', peerUrls: ['http://a:2380'], clientUrls: [], isLearner: false };
const learner: MemberRecord = { id: 2n, name: '', peerUrls: ['http://b:2380'], clientUrls: [], isLearner: true };
const add = (m: MemberRecord) => ({ id: 9n, type: m.isLearner ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode, nodeId: m.id, context: encodeMemberJson(m) });

describe('conf changes', () => {
  it('accepts peer URLs like etcd types.NewURLs', () => {
    expect(() => validatePeerUrls(['http://127.0.0.1:2380', 'https://h:1'])).not.toThrow();
    for (const bad of [[], ['not a url'], ['ftp://h:1'], ['http://h'], ['http://h:1/path']]) {
      expect(() => validatePeerUrls(bad)).toThrow(ErrMemberBadURLs);
    }
  });

  it('validates adds, promotions, removals and updates against the membership', () => {
    const ms = new Membership(7n, [voter, learner], [5n]);
    const none = (): boolean => false;
    const removed = (id: bigint): boolean => ms.isRemoved(id);
    expect(validateConfChange(ms, none, add({ ...learner, id: 3n, peerUrls: ['http://c:1'] }))).toBeInstanceOf(ErrTooManyLearners);
    expect(validateConfChange(ms, none, add({ ...voter, id: 3n }))).toBeInstanceOf(ErrPeerURLExist);
    expect(validateConfChange(ms, none, add(voter))).toBeInstanceOf(ErrMemberExist);
    expect(validateConfChange(ms, none, add({ ...voter, id: 3n, peerUrls: ['http://c:1'] }))).toMatchObject({ kind: 'add' });
    const promote = (id: bigint) => ({ id: 9n, type: ConfChangeType.AddNode, nodeId: id, context: promoteContext(id) });
    expect(validateConfChange(ms, none, promote(2n))).toEqual({ kind: 'promote', id: 2n });
    expect(validateConfChange(ms, none, promote(1n))).toBeInstanceOf(ErrMemberNotLearner);
    expect(validateConfChange(ms, none, promote(4n))).toBeInstanceOf(ErrMemberNotFound);
    expect(validateConfChange(ms, removed, { id: 9n, type: ConfChangeType.RemoveNode, nodeId: 5n, context: new Uint8Array() })).toBeInstanceOf(ErrMemberNotFound);
    expect(validateConfChange(ms, none, { id: 9n, type: ConfChangeType.RemoveNode, nodeId: 2n, context: new Uint8Array() })).toEqual({ kind: 'remove', id: 2n });
    const upd = { id: 9n, type: ConfChangeType.UpdateNode, nodeId: 2n, context: encodeMemberJson({ ...learner, peerUrls: ['http://a:2380'] }) };
    expect(validateConfChange(ms, none, upd)).toBeInstanceOf(ErrPeerURLExist);
  });

  it('replays only the changes the final membership agrees with', () => {
    const ms = new Membership(7n, [voter]);
    expect(replayedChangeStands(ms, add(voter))).toBe(true);
    expect(replayedChangeStands(ms, add(learner))).toBe(false);
    expect(replayedChangeStands(ms, { id: 1n, type: ConfChangeType.RemoveNode, nodeId: 2n, context: new Uint8Array() })).toBe(true);
  });

  it('a learner is ready at 90% of the leader match', () => {
    expect(learnerReady(90, 100)).toBe(true);
    expect(learnerReady(89, 100)).toBe(false);
  });
});
