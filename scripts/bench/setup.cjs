'use strict';
// Everything `npm run bench` needs before the first run: the shared bench folder, the Go toolchain
// and etcd 3.4 sources (apt), real etcd + etcdctl (apt), the etcdbench binary, and tsetcd's build.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const GO_PACKAGES = ['golang-go', 'golang-etcd-server-dev'];
const ETCD_PACKAGES = ['etcd-server', 'etcd-client'];
const ETCD_SOURCES = '/usr/share/gocode/src/go.etcd.io/etcd/clientv3';

function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** <repo>/../shared/bench (CI keeps shared/ beside the clone), or $BENCH_DIR. */
function locateBenchDir(repoRoot, env) {
  const dir = env.BENCH_DIR ? path.resolve(env.BENCH_DIR) : path.resolve(repoRoot, '..', 'shared', 'bench');
  for (const f of ['etcd-run.sh', 'suite.sh', 'build.sh', 'etcdbench.go']) {
    if (!fs.existsSync(path.join(dir, f))) throw new Error(`shared bench folder not found: ${path.join(dir, f)} is missing (set BENCH_DIR)`);
  }
  return dir;
}

/** apt-get install, as root or through sudo; runs apt-get update once if the first try fails. */
function aptInstall(pkgs) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const prefix = root ? [] : onPath('sudo') ? ['sudo', '-n'] : null;
  if (prefix === null) throw new Error(`need ${pkgs.join(' ')}: run as root: apt-get install -y ${pkgs.join(' ')}`);
  const run = (args) => {
    const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
    return spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  };
  log(`installing ${pkgs.join(' ')} with apt-get (needed to build and run the benchmark)`);
  if (run(['install', '-y', ...pkgs])) return;
  log('apt-get install failed; running apt-get update and retrying once');
  if (!run(['update']) || !run(['install', '-y', ...pkgs])) throw new Error(`apt-get install -y ${pkgs.join(' ')} failed`);
}

/** Real etcd and etcdctl (etcd-run.sh uses etcdctl for its health wait). */
function ensureEtcd(env) {
  const etcd = env.ETCD || '/usr/bin/etcd';
  if (!fs.existsSync(etcd) || !onPath('etcdctl')) {
    if (env.ETCD) throw new Error(`ETCD=${etcd} does not exist`);
    aptInstall(ETCD_PACKAGES);
  }
  if (!fs.existsSync(etcd)) throw new Error(`${etcd} still missing after installing ${ETCD_PACKAGES.join(' ')}`);
  return etcd;
}

/** The etcdbench binary; built with shared/bench/build.sh (Go, GOPATH mode, offline) if missing. */
function ensureEtcdbench(benchDir, env) {
  const bin = env.ETCDBENCH ? path.resolve(env.ETCDBENCH) : '/tmp/etcdbench/bin/etcdbench';
  if (fs.existsSync(bin)) return bin;
  if (!onPath('go') || !fs.existsSync(ETCD_SOURCES)) aptInstall(GO_PACKAGES);
  log(`building ${bin} with ${path.join(benchDir, 'build.sh')} (a minute or two the first time)`);
  const r = spawnSync(path.join(benchDir, 'build.sh'), [path.dirname(bin)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(bin)) throw new Error('building etcdbench failed (see above)');
  if (path.basename(bin) !== 'etcdbench') throw new Error(`ETCDBENCH must end in /etcdbench (build.sh names it so): ${bin}`);
  return bin;
}

/** The v2bench binary (bench/v2bench, standard library only); rebuilt when main.go is newer. */
function ensureV2bench(repoRoot, env) {
  const bin = env.V2BENCH ? path.resolve(env.V2BENCH) : '/tmp/v2bench/bin/v2bench';
  const src = path.join(repoRoot, 'bench', 'v2bench');
  const stale = () => fs.statSync(bin).mtimeMs < fs.statSync(path.join(src, 'main.go')).mtimeMs;
  if (fs.existsSync(bin) && (env.V2BENCH || !stale())) return bin;
  if (!onPath('go')) aptInstall(['golang-go']);
  log(`building ${bin} with ${path.join(src, 'build.sh')}`);
  const r = spawnSync(path.join(src, 'build.sh'), [path.dirname(bin)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(bin)) throw new Error('building v2bench failed (see above)');
  if (path.basename(bin) !== 'v2bench') throw new Error(`V2BENCH must end in /v2bench (build.sh names it so): ${bin}`);
  return bin;
}

/**
 * tsetcd as an etcd stand-in: the wrapper script plus the built server. Returns the reason it
 * cannot run instead of throwing, so the etcd side still runs and the tsetcd row reports failed.
 */
function locateTsetcd(repoRoot, env) {
  const bin = env.TSETCD_BIN ? path.resolve(env.TSETCD_BIN) : path.join(repoRoot, 'packages', 'server', 'dist', 'bin.cjs');
  const wrapper = path.join(__dirname, 'tsetcd-server.sh');
  if (!fs.existsSync(bin)) return { ok: false, reason: `${path.relative(repoRoot, bin)} not found: run npm run build` };
  return { ok: true, wrapper, bin };
}

module.exports = { locateBenchDir, ensureEtcd, ensureEtcdbench, ensureV2bench, locateTsetcd, log };
