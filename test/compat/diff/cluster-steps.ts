// Membership changes on a single-member cluster: what etcd allows (a learner), what its checks
// refuse (a second learner, duplicate or bad URLs, promoting a lagging learner or a voter,
// unknown ids). No voter is added: etcd accepts a second voter on a one-member cluster, which
// then has no quorum and stops answering. Member ids differ between clusters and are masked;
// calls on "the learner" and "this member" take their ids from this server's earlier answers.
import { addedMemberId, defragment, fails, memberAdd, memberList, memberPromote, memberRemove, memberUpdate, shape, step, type Step } from './steps';

const LEARNER_URL = 'http://127.0.0.1:1';
const ADD_LEARNER_STEP = 1; // 0-based index of the step that adds the learner
const selfId = (previous: readonly unknown[]): bigint =>
  (previous[0] as { header?: { memberId: bigint } } | undefined)?.header?.memberId ?? 0n;
const selfPeerURLs = (previous: readonly unknown[]): string[] =>
  (previous[0] as { members?: { peerURLs: string[] }[] } | undefined)?.members?.[0]?.peerURLs ?? [];
const learnerId = (previous: readonly unknown[]): bigint => addedMemberId(previous, ADD_LEARNER_STEP);
const UNKNOWN_ID = 0x1234n;

export const clusterSteps: readonly Step[] = [
  shape('MemberList of one member', memberList()),
  step('add a learner', memberAdd([LEARNER_URL], true), { unordered: ['members'] }),
  step('MemberList shows the unstarted learner', memberList(), { unordered: ['members'] }),
  fails('add a second learner', memberAdd(['http://127.0.0.1:3'], true), 'etcdserver: too many learner members in cluster'),
  // (Re-adding LEARNER_URL is not used: etcd's new-member id hashes the URLs with the current
  // second, so the answer flips between "member ID already exist" and "Peer URLs already exists".)
  fails('add a learner with this member\'s peer URL', { service: 'Cluster', method: 'memberAdd', request: (previous) => ({ peerURLs: selfPeerURLs(previous), isLearner: true }) }, 'etcdserver: Peer URLs already exists'),
  fails('add a member with an invalid URL', memberAdd(['not a url'], true), 'etcdserver: given member URLs are invalid'),
  fails('promote the lagging learner', memberPromote(learnerId), 'etcdserver: can only promote a learner member which is in sync with leader'),
  fails('promote a voter', memberPromote(selfId), 'etcdserver: can only promote a learner member'),
  fails('promote an unknown id', memberPromote(UNKNOWN_ID), 'etcdserver: member not found'),
  fails('update an unknown id', memberUpdate(UNKNOWN_ID, ['http://127.0.0.1:4']), 'etcdserver: member not found'),
  fails('remove an unknown id', memberRemove(UNKNOWN_ID), 'etcdserver: member not found'),
  step('update the learner\'s peer URL', memberUpdate(learnerId, ['http://127.0.0.1:5']), { unordered: ['members'] }),
  step('MemberList after the update', memberList(), { unordered: ['members'] }),
  step('remove the learner', memberRemove(learnerId), { unordered: ['members'] }),
  fails('remove the learner again', memberRemove(learnerId), 'etcdserver: member not found'),
  shape('MemberList back to one member', memberList()),
  shape('Defragment', defragment()),
];
