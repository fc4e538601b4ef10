'use strict';
// Command line of `npm run bench`.
const { V2_WORKLOADS } = require('./v2-workloads.cjs');

const DEFAULT_WORKLOADS = ['put-1x1', 'put-10x100', 'range-s-10x100', 'range-l-10x100', 'v2-set-10x100', 'v2-get-10x100'];
const V3_WORKLOADS = [
  'ping-1x1', 'ping-10x100', 'put-1x1', 'put-10x100', 'put-100x1000', 'range-l-1x1',
  'range-l-10x100', 'range-s-10x100', 'txn-put-10x100', 'watch-100', 'lease-1000',
];
const KNOWN_WORKLOADS = [...V3_WORKLOADS, ...Object.keys(V2_WORKLOADS)];
const SERVERS = ['etcd', 'tsetcd'];

const usage = `usage: npm run bench -- [options]

Runs the same etcdbench workloads against real etcd (/usr/bin/etcd) and tsetcd
(packages/server/dist/bin.cjs), alternating the two, and prints a table per workload.
The v2-* workloads use bench/v2bench (the v2 keys API over HTTP/1.1 keep-alive) and start
both servers with --enable-v2.

  --workloads a,b     workloads (default: ${DEFAULT_WORKLOADS.join(',')})
                      shared/bench/suite.sh: ${V3_WORKLOADS.join(' ')}
                      v2 keys API: ${Object.keys(V2_WORKLOADS).join(' ')}
  --cluster           3 members per server instead of 1
  --reps N            alternation rounds; medians are reported (default 1)
  --scale PCT         op totals in percent of suite.sh's (default: $SCALE_PCT or 30)
  --servers a,b       subset of etcd,tsetcd (default both)
  --warmup N          unmeasured ops per run, same for both servers (default 1000)
  --timeout S         hard limit per run in seconds (default 900)
  --json              also print the summary as one JSON object on stdout
  -h, --help          this text

Env: SCALE_PCT, ETCD (default /usr/bin/etcd), TSETCD_BIN (default packages/server/dist/bin.cjs),
     BENCH_DIR (default <repo>/../shared/bench),
     ETCDBENCH (default /tmp/etcdbench/bin/etcdbench; built by shared/bench/build.sh if missing),
     V2BENCH (default /tmp/v2bench/bin/v2bench; built by bench/v2bench/build.sh if missing or older than its source).
Raw etcdbench JSON lines are kept in <repo>/.bench/<timestamp>/.`;

function list(v, name) {
  const items = String(v).split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`${name}: empty list`);
  return items;
}

function int(v, name, min) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer >= ${min}, got ${v}`);
  return n;
}

function parseArgs(argv, env) {
  const opts = {
    workloads: DEFAULT_WORKLOADS,
    cluster: false,
    reps: 1,
    scalePct: env.SCALE_PCT ? int(env.SCALE_PCT, 'SCALE_PCT', 1) : 30,
    servers: SERVERS,
    warmup: 1000,
    timeoutS: 900,
    json: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    const val = () => {
      if (eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${key}: missing value`);
      return argv[++i];
    };
    switch (key) {
      case '--workloads': opts.workloads = list(val(), key); break;
      case '--cluster': opts.cluster = true; break;
      case '--reps': opts.reps = int(val(), key, 1); break;
      case '--scale': opts.scalePct = int(val(), key, 1); break;
      case '--servers': opts.servers = list(val(), key); break;
      case '--warmup': opts.warmup = int(val(), key, 0); break;
      case '--timeout': opts.timeoutS = int(val(), key, 1); break;
      case '--json': opts.json = true; break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new Error(`unknown option ${a}\n\n${usage}`);
    }
  }
  for (const w of opts.workloads) {
    if (!KNOWN_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}; known: ${KNOWN_WORKLOADS.join(' ')}`);
  }
  for (const s of opts.servers) {
    if (!SERVERS.includes(s)) throw new Error(`unknown server ${s}; known: ${SERVERS.join(',')}`);
  }
  return opts;
}

module.exports = { parseArgs, usage, DEFAULT_WORKLOADS, KNOWN_WORKLOADS, V3_WORKLOADS };
