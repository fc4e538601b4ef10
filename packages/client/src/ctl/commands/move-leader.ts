// move-leader <hex member id>: find the leader among the endpoints, ask it to hand leadership over.
import { EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR, fail } from '../exit-codes';
import { goMarshal } from '../go-json';
import { callErrorMessage } from '../global';
import { hex, parseHexUint64 } from '../go-format';
import { headerFields, struct, oe } from '../pb-json';
import type { CtlCommand } from './types';

export const moveLeaderCommand: CtlCommand = {
  path: ['move-leader'],
  flags: [],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'move-leader command needs 1 argument');
    const arg = args[0] ?? '';
    const target = parseHexUint64(arg);
    if (target === undefined) {
      const why = /^[0-9a-fA-F]+$/.test(arg) ? 'value out of range' : 'invalid syntax';
      fail(EXIT_BAD_ARGS, `strconv.ParseUint: parsing ${JSON.stringify(arg)}: ${why}`);
    }
    let leaderId: bigint | undefined;
    let leaderEp = '';
    for (const ep of ctx.endpoints) {
      let status;
      try {
        status = await ctx.client([ep]).maintenance.status();
      } catch (err) {
        fail(EXIT_ERROR, callErrorMessage(err));
      }
      if (status.header.memberId === status.leader) {
        leaderId = status.leader;
        leaderEp = ep;
        break;
      }
    }
    if (leaderId === undefined) fail(EXIT_BAD_ARGS, `no leader endpoint given at [${ctx.endpoints.join(' ')}]`);
    let r;
    try {
      r = await ctx.client([leaderEp]).maintenance.moveLeader(target);
    } catch (err) {
      fail(EXIT_ERROR, callErrorMessage(err));
    }
    // etcdctl prints after the transfer: an unsupported format fails only then
    if (ctx.format === 'json') return ctx.out(`${goMarshal(struct(oe('header', struct(headerFields(r.header)))))}\n`);
    if (ctx.format !== 'simple') fail(EXIT_BAD_FEATURE, `${ctx.format} not supported as output format`);
    ctx.out(`Leadership transferred from ${hex(leaderId)} to ${hex(target)}\n`);
  },
};
