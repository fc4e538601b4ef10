// lease grant / revoke / timetolive / list / keep-alive.
import { CtlExit, EXIT_BAD_ARGS, EXIT_BAD_CONNECTION, fail } from '../exit-codes';
import { goQuote, hex016, parseHexInt64 } from '../go-format';
import { fieldsHeader, fieldsLease } from '../print-fields';
import { goMarshal } from '../go-json';
import { f, headerFields, struct } from '../pb-json';
import { call } from './kv';
import { pbHeaderOnly } from '../print-protobuf';
import { boolFlag, type CtlCommand } from './types';

function leaseFromArg(arg: string): bigint {
  const id = parseHexInt64(arg);
  if (id === undefined) fail(EXIT_BAD_ARGS, `bad lease ID arg (strconv.ParseInt: parsing ${JSON.stringify(arg)}: invalid syntax), expecting ID in Hex`);
  return id;
}

export const leaseGrantCommand: CtlCommand = {
  path: ['lease', 'grant'],
  flags: [],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'lease grant command needs TTL argument');
    const s = args[0] ?? '';
    if (!/^[+-]?\d+$/.test(s)) fail(EXIT_BAD_ARGS, `bad TTL (strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax)`);
    const lease = await call(ctx.client().lease.grant(BigInt(s)), (m) => `failed to grant lease (${m})`);
    if (ctx.format === 'protobuf') return ctx.outBytes(pbHeaderOnly(lease.header));
    ctx.requireFormat('simple', 'json', 'fields');
    if (ctx.format === 'fields') return ctx.out(fieldsLease(lease.header, lease.id, lease.ttlSeconds));
    ctx.out(ctx.format === 'json' ? `${goMarshal(struct(headerFields(lease.header), f('ID', lease.id), f('TTL', lease.ttlSeconds), f('Error', '')))}\n` : `lease ${hex016(lease.id)} granted with TTL(${lease.ttlSeconds}s)\n`);
  },
};

export const leaseRevokeCommand: CtlCommand = {
  path: ['lease', 'revoke'],
  flags: [],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'lease revoke command needs 1 argument');
    const id = leaseFromArg(args[0] ?? '');
    const r = await call(ctx.client().lease.revoke(id), (m) => `failed to revoke lease (${m})`);
    ctx.requireFormat('simple', 'json', 'fields');
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(r.header));
    ctx.out(ctx.format === 'json' ? `${goMarshal(struct(f('header', struct(headerFields(r.header)))))}\n` : `lease ${hex016(id)} revoked\n`);
  },
};

export const leaseTimeToLiveCommand: CtlCommand = {
  path: ['lease', 'timetolive'],
  flags: [boolFlag('keys')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'lease timetolive command needs lease ID as argument');
    const id = leaseFromArg(args[0] ?? '');
    const keys = ctx.flags.bool('keys');
    const r = await call(ctx.client().lease.timeToLive(id, { keys }), undefined, EXIT_BAD_CONNECTION);
    if (ctx.format === 'protobuf') return ctx.outBytes(pbHeaderOnly(r.header));
    ctx.requireFormat('simple', 'json', 'fields');
    if (ctx.format === 'fields') {
      ctx.out(`${fieldsLease(r.header, r.id, r.ttlSeconds)}"GrantedTTL" : ${r.grantedTtlSeconds}\n${r.keys.map((k) => `"Key" : ${goQuote(k.toString('utf8'))}\n`).join('')}`);
      return;
    }
    if (ctx.format === 'json') {
      const keyList = r.keys.length === 0 ? null : r.keys;
      ctx.out(`${goMarshal(struct(headerFields(r.header), f('id', r.id), f('ttl', r.ttlSeconds), f('granted-ttl', r.grantedTtlSeconds), f('keys', keyList)))}\n`);
      return;
    }
    if (r.grantedTtlSeconds === 0n && r.ttlSeconds === -1n) {
      ctx.out(`lease ${hex016(id)} already expired\n`);
      return;
    }
    let txt = `lease ${hex016(r.id)} granted with TTL(${r.grantedTtlSeconds}s), remaining(${r.ttlSeconds}s)`;
    if (keys) txt += `, attached keys([${r.keys.map((k) => k.toString('latin1')).join(' ')}])`;
    ctx.out(`${txt}\n`);
  },
};

export const leaseListCommand: CtlCommand = {
  path: ['lease', 'list'],
  flags: [],
  async run(ctx) {
    const r = await call(ctx.client().lease.leases(), undefined, EXIT_BAD_CONNECTION);
    if (ctx.format === 'protobuf') return ctx.outBytes(pbHeaderOnly(r.header));
    ctx.requireFormat('simple', 'json', 'fields');
    if (ctx.format === 'fields') {
      ctx.out(fieldsHeader(r.header) + r.ids.map((id) => `"ID" : ${id}\n`).join(''));
      return;
    }
    if (ctx.format === 'json') {
      ctx.out(`${goMarshal(struct(headerFields(r.header), f('leases', r.ids.map((id) => struct(f('id', id))))))}\n`);
      return;
    }
    ctx.out(`found ${r.ids.length} leases\n${r.ids.map((id) => `${hex016(id)}\n`).join('')}`);
  },
};

export const leaseKeepAliveCommand: CtlCommand = {
  path: ['lease', 'keep-alive'],
  flags: [boolFlag('once')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'lease keep-alive command needs lease ID as argument');
    const id = leaseFromArg(args[0] ?? '');
    // clientv3's LeaseKeepAliveResponse is no protobuf message: etcdctl cannot marshal it either
    ctx.requireFormat('simple', 'json', 'fields');
    const once = ctx.flags.bool('once');
    const handle = ctx.client().lease.keepAlive(id);
    await new Promise<void>((resolve, reject) => {
      handle.on('keepalive', (ttlSeconds, header) => {
        if (ctx.format === 'json') ctx.out(`${goMarshal(struct(headerFields(header), f('ID', id), f('TTL', ttlSeconds)))}\n`);
        else if (ctx.format === 'fields') ctx.out(fieldsLease(header, id, ttlSeconds));
        else ctx.out(`lease ${hex016(id)} keepalived with TTL(${ttlSeconds})\n`);
        if (once) {
          handle.close();
          resolve();
        }
      });
      handle.on('lost', (err) => {
        // Go's KeepAliveOnce answers a TTL <= 0 with ErrLeaseNotFound; KeepAlive closes its channel
        if (once) reject(new CtlExit(EXIT_BAD_CONNECTION, err.reason === 'expired' ? 'etcdserver: requested lease not found' : 'context deadline exceeded'));
        else {
          ctx.out(`lease ${hex016(id)} expired or revoked.\n`);
          resolve();
        }
      });
    });
  },
};
