#!/usr/bin/env node
'use strict';
// The v2 counterpart of shared/bench/suite.sh, run by shared/bench/etcd-run.sh once the server is up:
//   ENDPOINTS=... SERVER_PIDS=... DATA_DIR=... OUT=... V2BENCH=... node v2-suite.cjs <workload ...>
// Runs v2bench once per workload and appends its JSON line to $OUT.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { v2benchArgs } = require('./v2-workloads.cjs');

function main(argv, env) {
  for (const k of ['ENDPOINTS', 'OUT', 'V2BENCH']) if (!env[k]) throw new Error(`set ${k}`);
  const scalePct = Number(env.SCALE_PCT || 100);
  const common = ['--endpoints', env.ENDPOINTS, '--label', env.LABEL || 'unlabelled',
    '--server-pids', env.SERVER_PIDS || '', '--data-dir', env.DATA_DIR || ''];
  const extra = (env.EXTRA_FLAGS || '').split(/\s+/).filter(Boolean);
  fs.mkdirSync(path.dirname(env.OUT), { recursive: true });
  for (const w of argv) {
    const args = [...v2benchArgs(w, scalePct), ...common, ...extra];
    process.stderr.write(`== ${w}: v2bench ${args.join(' ')}\n`);
    const r = spawnSync(env.V2BENCH, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.stdout) fs.appendFileSync(env.OUT, r.stdout);
    if (r.status !== 0) throw new Error(`v2bench ${w} exited with ${r.signal ?? r.status}`);
  }
}

try {
  main(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`v2-suite: ${err.message}\n`);
  process.exitCode = 1;
}
