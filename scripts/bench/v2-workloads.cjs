'use strict';
// The v2 keys API workloads of `npm run bench` and the v2bench arguments of each (bench/v2bench).
// HTTP/1.1 carries one request at a time per connection, so "CxN" means N client goroutines
// sharing C keep-alive connections: at most C requests are in flight. 100x100 puts as many
// requests in flight as the gRPC put-10x100 / range-*-10x100 workloads do.

/** op totals at SCALE_PCT=100; scaled like shared/bench/suite.sh's. */
const V2_WORKLOADS = {
  'v2-set-1x1': { cmd: 'v2-set', conns: 1, clients: 1, total: 10000, args: ['--sequential-keys'] },
  'v2-set-10x100': { cmd: 'v2-set', conns: 10, clients: 100, total: 100000, args: ['--sequential-keys'] },
  'v2-set-100x100': { cmd: 'v2-set', conns: 100, clients: 100, total: 100000, args: ['--sequential-keys'] },
  'v2-get-1x1': { cmd: 'v2-get', conns: 1, clients: 1, total: 10000, args: ['--prefill', '1'] },
  'v2-get-10x100': { cmd: 'v2-get', conns: 10, clients: 100, total: 100000, args: ['--prefill', '1'] },
  'v2-get-100x100': { cmd: 'v2-get', conns: 100, clients: 100, total: 100000, args: ['--prefill', '1'] },
  'v2-get-quorum-10x100': { cmd: 'v2-get-quorum', conns: 10, clients: 100, total: 100000, args: ['--prefill', '1'] },
};

function isV2Workload(name) {
  return Object.prototype.hasOwnProperty.call(V2_WORKLOADS, name);
}

/** v2bench argv for one workload (without the common --endpoints/--label/... flags). */
function v2benchArgs(name, scalePct) {
  const w = V2_WORKLOADS[name];
  if (!w) throw new Error(`unknown v2 workload ${name}`);
  const total = Math.max(1, Math.floor((w.total * scalePct) / 100));
  return [w.cmd, '--conns', String(w.conns), '--clients', String(w.clients), '--total', String(total),
    '--key-size', '8', '--val-size', '256', ...w.args];
}

module.exports = { V2_WORKLOADS, isV2Workload, v2benchArgs };
