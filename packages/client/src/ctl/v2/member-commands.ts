// member list / add / remove / update over /v2/members, with etcdctl 3.4's v2 wording.
import { validatePeerUrls, type V2Member } from '../../v2';
import type { V2Ctl } from './context';
import type { V2Command } from './command';

function hexId(m: V2Member): string {
  return m.id.toString(16);
}

function failWith(ctl: V2Ctl, text: string): never {
  ctl.io.err(`${text}\n`);
  return ctl.exit(1);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function memberList(ctl: V2Ctl): Promise<void> {
  if (ctl.args.length !== 0) failWith(ctl, 'No arguments accepted');
  const client = await ctl.client();
  const signal = ctl.totalTimeoutSignal();
  let members: V2Member[];
  try {
    members = await client.members.list(signal);
  } catch (err) {
    return failWith(ctl, messageOf(err));
  }
  let leader: V2Member;
  try {
    leader = await client.members.leader(signal);
  } catch (err) {
    return failWith(ctl, `Failed to get leader:  ${messageOf(err)}`);
  }
  let out = '';
  for (const m of members) {
    if (m.name === '') out += `${hexId(m)}[unstarted]: peerURLs=${m.peerURLs.join(',')}\n`;
    else out += `${hexId(m)}: name=${m.name} peerURLs=${m.peerURLs.join(',')} clientURLs=${m.clientURLs.join(',')} isLeader=${m.id === leader.id}\n`;
  }
  ctl.io.out(out);
}

/** Go's %q for the ETCD_* lines (ASCII text: JSON string quoting agrees). */
function quote(s: string): string {
  return JSON.stringify(s);
}

async function memberAdd(ctl: V2Ctl): Promise<void> {
  const [name, peerUrl] = ctl.args;
  if (ctl.args.length !== 2 || name === undefined || peerUrl === undefined) {
    return failWith(ctl, 'Provide a name and a single member peerURL');
  }
  const client = await ctl.client();
  const signal = ctl.totalTimeoutSignal();
  let added: V2Member;
  let members: V2Member[];
  try {
    added = await client.members.add(peerUrl, signal);
  } catch (err) {
    return failWith(ctl, messageOf(err));
  }
  ctl.io.out(`Added member named ${name} with ID ${hexId(added)} to cluster\n`);
  try {
    members = await client.members.list(signal);
  } catch (err) {
    return failWith(ctl, messageOf(err));
  }
  const conf: string[] = [];
  for (const m of members) {
    for (const u of m.peerURLs) conf.push(`${m.id === added.id ? name : m.name}=${u}`);
  }
  ctl.io.out(`\nETCD_NAME=${quote(name)}\nETCD_INITIAL_CLUSTER=${quote(conf.join(','))}\nETCD_INITIAL_CLUSTER_STATE="existing"\n`);
}

async function memberRemove(ctl: V2Ctl): Promise<void> {
  const removalId = ctl.args[0];
  if (ctl.args.length !== 1 || removalId === undefined) return failWith(ctl, 'Provide a single member ID');
  const client = await ctl.client();
  const signal = ctl.totalTimeoutSignal();
  let members: V2Member[];
  try {
    members = await client.members.list(signal);
  } catch (err) {
    return failWith(ctl, `Error while verifying ID against known members: ${messageOf(err)}`);
  }
  let found = false;
  for (const m of members) {
    if (hexId(m) === removalId) found = true;
    if (m.name === removalId) {
      ctl.io.err(
        `Found a member named ${m.name}; if this is correct, please use its ID, eg:\n\tetcdctl member remove ${hexId(m)}\n` +
          'For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n',
      );
    }
  }
  if (!found) return failWith(ctl, `Couldn't find a member in the cluster with an ID of ${removalId}.`);
  try {
    await client.members.remove(removalId, signal);
  } catch (err) {
    ctl.io.err(`Received an error trying to remove member ${removalId}: ${messageOf(err)}`);
    return ctl.exit(1);
  }
  ctl.io.out(`Removed member ${removalId} from cluster\n`);
}

async function memberUpdate(ctl: V2Ctl): Promise<void> {
  const [id, urls] = ctl.args;
  if (ctl.args.length !== 2 || id === undefined || urls === undefined) {
    return failWith(ctl, 'Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)');
  }
  const client = await ctl.client();
  try {
    validatePeerUrls(urls.split(','));
    await client.members.update(id, urls.split(','), ctl.totalTimeoutSignal());
  } catch (err) {
    return failWith(ctl, messageOf(err));
  }
  ctl.io.out(`Updated member with ID ${id} in cluster\n`);
}

export const memberCommand: V2Command = {
  name: 'member',
  usage: 'member add, remove and list subcommands',
  subcommands: [
    { name: 'list', usage: 'enumerate existing cluster members', argsUsage: ' ', run: memberList },
    { name: 'add', usage: 'add a new member to the etcd cluster', argsUsage: '<name> <peerURL>', run: memberAdd },
    { name: 'remove', usage: 'remove an existing member from the etcd cluster', argsUsage: '<memberID>', run: memberRemove },
    { name: 'update', usage: 'update an existing member in the etcd cluster', argsUsage: '<memberID> <peerURLs>', run: memberUpdate },
  ],
};
