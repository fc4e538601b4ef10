// endpoint status / health / hashkv, alarm list / disarm, defrag, version.
import type { Alarm, StatusResult } from '../../index';
import { monotonicNow } from '../../index';
import { EXIT_BAD_CONNECTION, EXIT_ERROR, fail } from '../exit-codes';
import { goDuration, hex, humanizeBytes } from '../go-format';
import { goMarshal, type GoStruct } from '../go-json';
import { callErrorMessage, type CtlContext } from '../global';
import { f, headerStruct, oe, struct } from '../pb-json';
import { fieldsEndpointHashKV, fieldsEndpointHealth, fieldsEndpointStatus } from '../print-fields';
import { renderTable } from '../table';
import { call } from './kv';
import { boolFlag, intFlag, type CtlCommand } from './types';

export const ETCDCTL_VERSION = '3.4.23';
export const API_VERSION = '3.4';

/** The endpoints a multi-endpoint command visits: the flag's list, or with --cluster every member's client URLs. */
async function endpointsOf(ctx: CtlContext): Promise<string[]> {
  if (!ctx.flags.bool('cluster')) return ctx.endpoints;
  const r = await call(ctx.client().cluster.memberList());
  const eps: string[] = [];
  for (const m of r.members) eps.push(...m.clientUrls);
  return [...new Set(eps)];
}

function statusJson(s: StatusResult): GoStruct {
  return struct(
    oe('header', headerStruct(s.header)),
    oe('version', s.version),
    oe('dbSize', s.dbSize),
    oe('leader', s.leader),
    oe('raftIndex', s.raftIndex),
    oe('raftTerm', s.raftTerm),
    oe('raftAppliedIndex', s.raftAppliedIndex),
    oe('errors', s.errors),
    oe('dbSizeInUse', s.dbSizeInUse),
    oe('isLearner', s.isLearner),
  );
}

export const endpointStatusCommand: CtlCommand = {
  path: ['endpoint', 'status'],
  flags: [boolFlag('cluster')],
  async run(ctx) {
    ctx.requireFormat('simple', 'json', 'table', 'fields');
    const list: { ep: string; s: StatusResult }[] = [];
    let failed = false;
    for (const ep of await endpointsOf(ctx)) {
      try {
        list.push({ ep, s: await ctx.client([ep]).maintenance.status() });
      } catch (err) {
        failed = true;
        ctx.err(`Failed to get the status of endpoint ${ep} (${callErrorMessage(err)})\n`);
      }
    }
    const rows = list.map(({ ep, s }) => [ep, hex(s.header.memberId), s.version, humanizeBytes(s.dbSize), String(s.leader === s.header.memberId), String(s.isLearner), String(s.raftTerm), String(s.raftIndex), String(s.raftAppliedIndex), s.errors.join(', ')]);
    if (ctx.format === 'json') ctx.out(`${goMarshal(list.map(({ ep, s }) => struct(f('Endpoint', ep), f('Status', statusJson(s)))))}\n`);
    else if (ctx.format === 'fields') ctx.out(fieldsEndpointStatus(list));
    else if (ctx.format === 'table') ctx.out(renderTable(['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'], rows));
    else ctx.out(rows.map((r) => `${r.join(', ')}\n`).join(''));
    if (failed) fail(EXIT_ERROR, ''); // etcdctl exits 1 without an Error line
  },
};

export const endpointHashKVCommand: CtlCommand = {
  path: ['endpoint', 'hashkv'],
  flags: [boolFlag('cluster'), intFlag('rev')],
  async run(ctx) {
    ctx.requireFormat('simple', 'json', 'table', 'fields');
    const rev = ctx.flags.int('rev');
    const list: { ep: string; r: Awaited<ReturnType<ReturnType<CtlContext['client']>['maintenance']['hashKV']>> }[] = [];
    let failed = '';
    for (const ep of await endpointsOf(ctx)) {
      try {
        list.push({ ep, r: await ctx.client([ep]).maintenance.hashKV(rev) });
      } catch (err) {
        failed = callErrorMessage(err);
        ctx.err(`Failed to get the hash of endpoint ${ep} (${callErrorMessage(err)})\n`);
      }
    }
    const rows = list.map(({ ep, r }) => [ep, String(r.hash)]);
    if (ctx.format === 'json') {
      ctx.out(`${goMarshal(list.map(({ ep, r }) => struct(f('Endpoint', ep), f('HashKV', struct(oe('header', headerStruct(r.header)), oe('hash', r.hash), oe('compact_revision', r.compactRevision))))))}\n`);
    } else if (ctx.format === 'fields') ctx.out(fieldsEndpointHashKV(list.map(({ ep, r }) => ({ ep, header: r.header, hash: r.hash }))));
    else if (ctx.format === 'table') ctx.out(renderTable(['endpoint', 'hash'], rows));
    else ctx.out(rows.map((r) => `${r.join(', ')}\n`).join(''));
    if (failed !== '') fail(EXIT_ERROR, failed);
  },
};

export const endpointHealthCommand: CtlCommand = {
  path: ['endpoint', 'health'],
  flags: [boolFlag('cluster')],
  async run(ctx) {
    ctx.requireFormat('simple', 'json', 'table', 'fields');
    const list: { ep: string; health: boolean; took: string; error: string }[] = [];
    for (const ep of await endpointsOf(ctx)) {
      const start = monotonicNow();
      let error = '';
      try {
        await ctx.client([ep]).range({ key: 'health' });
      } catch (err) {
        const msg = callErrorMessage(err);
        if (msg !== 'etcdserver: permission denied') error = msg;
      }
      list.push({ ep, health: error === '', took: goDuration(monotonicNow() - start), error });
    }
    if (ctx.format === 'json') {
      ctx.out(`${goMarshal(list.map((h) => struct(f('endpoint', h.ep), f('health', h.health), oe('took', h.took), oe('error', h.error))))}\n`);
    } else if (ctx.format === 'fields') {
      ctx.out(fieldsEndpointHealth(list));
    } else if (ctx.format === 'table') {
      ctx.out(renderTable(['endpoint', 'health', 'took', 'error'], list.map((h) => [h.ep, String(h.health), h.took, h.error])));
    } else {
      for (const h of list) {
        ctx.err(h.error === '' ? `${h.ep} is healthy: successfully committed proposal: took = ${h.took}\n` : `${h.ep} is unhealthy: failed to commit proposal: ${h.error}\n`);
      }
    }
    if (list.some((h) => h.error !== '')) fail(EXIT_ERROR, 'unhealthy cluster');
  },
};

const ALARM_NUMBERS: Record<string, number> = { none: 0, nospace: 1, corrupt: 2 };

function alarmsOut(ctx: CtlContext, alarms: Alarm[]): void {
  if (ctx.format === 'json') {
    ctx.out(`${goMarshal(struct(oe('alarms', alarms.map((a) => struct(oe('memberID', a.memberId), oe('alarm', ALARM_NUMBERS[a.alarm] ?? 0))))))}\n`);
    return;
  }
  ctx.out(alarms.map((a) => `memberID:${BigInt.asUintN(64, a.memberId)} alarm:${a.alarm.toUpperCase()} \n`).join(''));
}

export const alarmListCommand: CtlCommand = {
  path: ['alarm', 'list'],
  flags: [],
  async run(ctx) {
    const alarms = await call(ctx.client().maintenance.alarms());
    // etcd 3.4 answers Alarm without a response header and etcdctl's fields printer dereferences it (a Go
    // panic, exit 2): refused with the same exit code instead of printing a header that was never sent
    if (ctx.format === 'fields') fail(EXIT_BAD_CONNECTION, 'alarm list -w fields: the Alarm response carries no header (etcdctl 3.4 crashes here with a nil pointer panic)');
    ctx.requireFormat('simple', 'json');
    alarmsOut(ctx, alarms);
  },
};

export const alarmDisarmCommand: CtlCommand = {
  path: ['alarm', 'disarm'],
  flags: [],
  async run(ctx) {
    ctx.requireFormat('simple', 'json');
    alarmsOut(ctx, await call(ctx.client().maintenance.alarmDisarm()));
  },
};

export const defragCommand: CtlCommand = {
  path: ['defrag'],
  flags: [boolFlag('cluster')],
  async run(ctx) {
    let failed = false;
    for (const ep of await endpointsOf(ctx)) {
      try {
        await ctx.client([ep]).maintenance.defragment();
        ctx.out(`Finished defragmenting etcd member[${ep}]\n`);
      } catch (err) {
        failed = true;
        ctx.err(`Failed to defragment etcd member[${ep}] (${callErrorMessage(err)})\n`);
      }
    }
    if (failed) fail(EXIT_ERROR, '');
  },
};

export const versionCommand: CtlCommand = {
  path: ['version'],
  flags: [],
  async run(ctx) {
    ctx.out(`etcdctl version: ${ETCDCTL_VERSION}\nAPI version: ${API_VERSION}\n`);
  },
};
