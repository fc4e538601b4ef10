#!/usr/bin/env node
'use strict';
// npm run bench: real etcd vs tsetcd under the same etcdbench (v3) and v2bench (v2 keys API)
// workloads, alternating the servers.
// See `npm run bench -- --help`. Helpers live in scripts/bench/.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs, usage } = require('./bench/args.cjs');
const { locateBenchDir, ensureEtcd, ensureEtcdbench, ensureV2bench, locateTsetcd, log } = require('./bench/setup.cjs');
const { isV2Workload } = require('./bench/v2-workloads.cjs');
const { runOne } = require('./bench/run-one.cjs');
const { summarize, formatTables } = require('./bench/report.cjs');

async function main() {
  const opts = parseArgs(process.argv.slice(2), process.env);
  if (opts.help) {
    console.log(usage);
    return 0;
  }
  const repoRoot = path.resolve(__dirname, '..');
  const benchDir = locateBenchDir(repoRoot, process.env);
  const etcdbench = ensureEtcdbench(benchDir, process.env);
  const v2bench = opts.workloads.some(isV2Workload) ? ensureV2bench(repoRoot, process.env) : undefined;
  const etcdExe = opts.servers.includes('etcd') ? ensureEtcd(process.env) : undefined;
  if (opts.servers.includes('tsetcd') && !opts.servers.includes('etcd')) ensureEtcd(process.env); // etcd-run.sh needs etcdctl
  const tsetcd = locateTsetcd(repoRoot, process.env);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = path.join(repoRoot, '.bench', stamp);
  fs.mkdirSync(outDir, { recursive: true });
  const mode = opts.cluster ? 'cluster' : 'single';
  log(`etcdbench ${etcdbench}; shared bench ${benchDir}; raw results in ${path.relative(repoRoot, outDir)}/`);

  const servers = {
    etcd: { exe: etcdExe, serverComm: ['etcd'], env: {} },
    tsetcd: { exe: tsetcd.wrapper, serverComm: ['node'], env: { TSETCD_BIN: tsetcd.bin, TSETCD_NODE: process.execPath } },
  };
  const runs = [];
  for (let rep = 1; rep <= opts.reps; rep++) {
    for (const workload of opts.workloads) {
      // alternate which server goes first, so drift on the shared machine does not favour one
      const order = rep % 2 === 1 ? opts.servers : [...opts.servers].reverse();
      for (const server of order) {
        const tag = `${server} ${workload} rep ${rep}/${opts.reps}`;
        if (server === 'tsetcd' && !tsetcd.ok) {
          log(`${tag}: skipped: ${tsetcd.reason}`);
          runs.push({ server, workload, ok: false, reason: tsetcd.reason });
          continue;
        }
        log(`${tag}: starting (${mode})`);
        const s = servers[server];
        const r = await runOne({
          server,
          mode,
          benchDir,
          etcdbench,
          v2bench,
          exe: s.exe,
          serverComm: s.serverComm,
          env: { ...process.env, ...s.env },
          workloads: [workload],
          scalePct: opts.scalePct,
          warmup: opts.warmup,
          outFile: path.join(outDir, `${server}-${workload}-r${rep}.jsonl`),
          timeoutS: opts.timeoutS,
          label: `${server}-${mode}`,
        });
        if (!r.ok) {
          log(`${tag}: FAILED: ${r.reason}${r.detail ? `\n${r.detail}` : ''}`);
        } else {
          const res = r.results[0];
          log(`${tag}: ${Math.round(res.ops_per_s)} ops/s, p99 ${res.lat_ms?.p99} ms`);
        }
        runs.push({ server, workload, ok: r.ok, reason: r.reason, result: r.results[0] });
      }
    }
  }
  const summary = summarize(runs, opts.workloads, opts.servers);
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ opts, summary }, null, 2));
  console.log(formatTables(summary, opts));
  if (opts.json) console.log(JSON.stringify({ opts, summary }));
  // exit 0 when the etcd side worked: a failed tsetcd row is a finding, not a crash
  const etcdFailed = opts.servers.includes('etcd') && runs.some((r) => r.server === 'etcd' && !r.ok);
  return etcdFailed ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 2;
  },
);
