'use strict';
// One server start + workloads: shared/bench/etcd-run.sh <single|cluster> -- suite.sh <workloads>,
// in its own process group so a timeout or a dead server stops everything it started.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { isV2Workload } = require('./v2-workloads.cjs');

const PORTS = { single: [12379, 12380], cluster: [12381, 12382, 12383, 12384, 12385, 12386] };
const STARTUP_LIMIT_MS = 45_000; // etcd-run.sh waits up to ~2 min for health; a dead or wedged server fails sooner
const POLL_MS = 250;
const KILL_GRACE_MS = 5_000;

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** PIDs whose parent is `ppid` and whose command name is one of `names` (from /proc). */
function childrenNamed(ppid, names) {
  const out = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    if (Number(fields[1]) === ppid && names.includes(comm) && fields[0] !== 'Z') out.push(Number(ent));
  }
  return out;
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Server logs etcd-run.sh created for this run: named <mode>-<unix seconds>-<member>.log. */
function runLogs(logDir, mode, startedMs) {
  const fromS = Math.floor(startedMs / 1000);
  try {
    return fs.readdirSync(logDir)
      .filter((f) => {
        const m = /^(single|cluster)-(\d+)-.*\.log$/.exec(f);
        return m !== null && m[1] === mode && Number(m[2]) >= fromS;
      })
      .map((f) => path.join(logDir, f));
  } catch {
    return [];
  }
}

/**
 * @param o {{ server: string, mode: 'single'|'cluster', benchDir: string, etcdbench: string,
 *   exe: string, serverComm: string[], env: object, workloads: string[], scalePct: number,
 *   warmup: number, outFile: string, timeoutS: number, label: string, v2bench?: string }}
 *   (v2bench: the v2bench binary, needed when the workloads are v2-* ones)
 * @returns {Promise<{ ok: boolean, reason?: string, results: object[] }>}
 */
async function runOne(o) {
  const work = o.env.WORK || '/tmp/etcdbench';
  for (const p of PORTS[o.mode]) {
    if (!(await portFree(p))) return { ok: false, reason: `port ${p} is busy (another benchmark running?)`, results: [] };
  }
  fs.mkdirSync(path.dirname(o.outFile), { recursive: true });
  const startedMs = Date.now();
  const env = {
    ...o.env,
    ETCD: o.exe,
    BENCH: o.etcdbench,
    WORK: work,
    OUT: o.outFile,
    LABEL: o.label,
    REPS: '1',
    SCALE_PCT: String(o.scalePct),
    EXTRA_FLAGS: o.warmup > 0 ? `--warmup ${o.warmup}` : '',
  };
  // v2 workloads: both servers get --enable-v2 (etcd 3.4 serves no v2 without it), v2bench drives them
  const v2 = o.workloads.filter(isV2Workload);
  if (v2.length > 0 && v2.length !== o.workloads.length) throw new Error('runOne: v2 and v3 workloads in one run');
  let suite = [path.join(o.benchDir, 'suite.sh')];
  if (v2.length > 0) {
    if (!o.v2bench) throw new Error('runOne: v2 workloads need o.v2bench');
    env.ETCD_FLAGS = `${env.ETCD_FLAGS || ''} --enable-v2`.trim();
    env.V2BENCH = o.v2bench;
    suite = [process.execPath, path.join(__dirname, 'v2-suite.cjs')];
  }
  const child = spawn(path.join(o.benchDir, 'etcd-run.sh'), [o.mode, '--', ...suite, ...o.workloads], {
    env,
    detached: true,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let up = false;
  let failure;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (/ up: endpoints=/.test(chunk)) up = true;
    for (const line of chunk.split('\n')) if (line) process.stderr.write(`  [${o.server}] ${line}\n`);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  exited.then(() => { done = true; });

  const stopGroup = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, KILL_GRACE_MS);
    await exited;
    clearTimeout(t);
  };

  const members = o.mode === 'single' ? 1 : 3;
  let seenServer = false;
  while (!done) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (done) break;
    const elapsed = Date.now() - startedMs;
    if (!up) {
      const live = childrenNamed(child.pid, o.serverComm).length;
      if (live >= members) seenServer = true;
      if ((seenServer && live < members) || (!seenServer && elapsed > 3_000 && live < members)) {
        failure = 'server exited during startup';
      } else if (elapsed > STARTUP_LIMIT_MS) {
        failure = `server not healthy within ${STARTUP_LIMIT_MS / 1000} s`;
      }
    } else if (elapsed > o.timeoutS * 1000) {
      failure = `run exceeded --timeout ${o.timeoutS} s`;
    }
    if (failure) {
      await stopGroup();
      break;
    }
  }
  const { code, signal } = await exited;
  const results = readResults(o.outFile);
  if (!failure && code !== 0) failure = `etcd-run.sh exited with ${signal ?? code}`;
  if (!failure && results.length < o.workloads.length) failure = `only ${results.length} of ${o.workloads.length} workloads reported`;
  if (failure) {
    const logs = runLogs(path.join(work, 'logs'), o.mode, startedMs);
    const detail = logs.map((f) => `--- ${f}\n${tail(f, 8)}`).join('\n');
    return { ok: false, reason: failure, detail, results };
  }
  return { ok: true, results };
}

function readResults(file) {
  if (!fs.existsSync(file)) return [];
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      if (r && typeof r.bench === 'string') out.push(r);
    } catch {
      /* not a result line */
    }
  }
  return out;
}

module.exports = { runOne, readResults };
