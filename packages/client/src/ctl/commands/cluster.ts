// member list (member add/remove/update/promote: simple + json).
import type { Member, MembersResult } from '../../index';
import { EXIT_BAD_ARGS, fail } from '../exit-codes';
import { hex, hex16, parseHexUint64 } from '../go-format';
import { goMarshal } from '../go-json';
import { headerStruct, oe, struct } from '../pb-json';
import { fieldsMemberList } from '../print-fields';
import { renderTable } from '../table';
import { call } from './kv';
import { boolFlag, strFlag, type CtlCommand } from './types';

function memberStruct(m: Member) {
  return struct(oe('ID', m.id), oe('name', m.name), oe('peerURLs', m.peerUrls), oe('clientURLs', m.clientUrls), oe('isLearner', m.isLearner));
}

function membersJson(r: MembersResult, extra: ReturnType<typeof oe>[] = []) {
  return struct(oe('header', headerStruct(r.header)), extra, oe('members', r.members.map(memberStruct)));
}

function memberRows(r: MembersResult): string[][] {
  return r.members.map((m) => [hex(m.id), m.name === '' ? 'unstarted' : 'started', m.name, m.peerUrls.join(','), m.clientUrls.join(','), String(m.isLearner)]);
}

export const memberListCommand: CtlCommand = {
  path: ['member', 'list'],
  flags: [],
  async run(ctx) {
    const r = await call(ctx.client().cluster.memberList());
    ctx.requireFormat('simple', 'json', 'table', 'fields');
    if (ctx.format === 'json') ctx.out(`${goMarshal(membersJson(r))}\n`);
    else if (ctx.format === 'fields') ctx.out(fieldsMemberList(r));
    else if (ctx.format === 'table') ctx.out(renderTable(['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'], memberRows(r)));
    else ctx.out(memberRows(r).map((row) => `${row.join(', ')}\n`).join(''));
  },
};

function memberIdArg(args: string[]): bigint {
  if (args.length !== 1) fail(EXIT_BAD_ARGS, 'member ID is not provided');
  const id = parseHexUint64(args[0] ?? '');
  if (id === undefined) fail(EXIT_BAD_ARGS, `bad member ID arg (strconv.ParseUint: parsing ${JSON.stringify(args[0] ?? '')}: invalid syntax), expecting ID in Hex`);
  return id;
}

export const memberRemoveCommand: CtlCommand = {
  path: ['member', 'remove'],
  flags: [],
  async run(ctx) {
    const id = memberIdArg(ctx.flags.args);
    const r = await call(ctx.client().cluster.memberRemove(id));
    ctx.requireFormat('simple', 'json');
    ctx.out(ctx.format === 'json' ? `${goMarshal(membersJson(r))}\n` : `Member ${hex16(id)} removed from cluster ${hex16(r.header.clusterId)}\n`);
  },
};

export const memberPromoteCommand: CtlCommand = {
  path: ['member', 'promote'],
  flags: [],
  async run(ctx) {
    const id = memberIdArg(ctx.flags.args);
    const r = await call(ctx.client().cluster.memberPromote(id));
    ctx.requireFormat('simple', 'json');
    ctx.out(ctx.format === 'json' ? `${goMarshal(membersJson(r))}\n` : `Member ${hex16(id)} promoted in cluster ${hex16(r.header.clusterId)}\n`);
  },
};

export const memberUpdateCommand: CtlCommand = {
  path: ['member', 'update'],
  flags: [strFlag('peer-urls')],
  async run(ctx) {
    const id = memberIdArg(ctx.flags.args);
    const urls = ctx.flags.str('peer-urls');
    if (urls === '') fail(EXIT_BAD_ARGS, 'member peer urls not provided');
    const r = await call(ctx.client().cluster.memberUpdate(id, urls.split(',')));
    ctx.requireFormat('simple', 'json');
    ctx.out(ctx.format === 'json' ? `${goMarshal(membersJson(r))}\n` : `Member ${hex16(id)} updated in cluster ${hex16(r.header.clusterId)}\n`);
  },
};

export const memberAddCommand: CtlCommand = {
  path: ['member', 'add'],
  flags: [strFlag('peer-urls'), boolFlag('learner')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length < 1) fail(EXIT_BAD_ARGS, 'member name not provided');
    if (args.length > 1) fail(EXIT_BAD_ARGS, `too many arguments, did you mean --peer-urls=${args[1] ?? ''}`);
    const name = args[0] ?? '';
    const urls = ctx.flags.str('peer-urls');
    if (urls === '') fail(EXIT_BAD_ARGS, 'member peer urls not provided');
    ctx.requireFormat('simple', 'json');
    const peerUrls = urls.split(',');
    const r = await call(ctx.client().cluster.memberAdd(peerUrls, { isLearner: ctx.flags.bool('learner') }));
    const added = r.member;
    if (ctx.format === 'json') {
      ctx.out(`${goMarshal(struct(oe('header', headerStruct(r.header)), oe('member', added ? memberStruct(added) : null), oe('members', r.members.map(memberStruct))))}\n`);
      return;
    }
    const newId = added?.id ?? 0n;
    let text = `Member ${hex16(newId)} added to cluster ${hex16(r.header.clusterId)}\n`;
    const conf: string[] = [];
    for (const m of r.members) {
      for (const u of m.peerUrls) conf.push(`${m.id === newId ? name : m.name}=${u}`);
    }
    text += `\nETCD_NAME=${JSON.stringify(name)}\nETCD_INITIAL_CLUSTER=${JSON.stringify(conf.join(','))}\nETCD_INITIAL_ADVERTISE_PEER_URLS=${JSON.stringify(urls)}\nETCD_INITIAL_CLUSTER_STATE="existing"\n`;
    ctx.out(text);
  },
};
