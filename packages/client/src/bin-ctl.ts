// tsetcdctl: etcdctl 3.4's v3 command line on @tsetcd/client.
import { readStdin, runCtl } from './ctl/main';
import { runCtlV2 } from './ctl/v2/main';

// stdout is written as it comes (watch streams); exit once everything written has been flushed
const exitAfterFlush = (code: number): void => {
  process.stdout.write('', () => process.exit(code));
};

// ETCDCTL_API=2: etcdctl's v2 command line (v2 HTTP API)
const run = process.env.ETCDCTL_API === '2' ? runCtlV2 : runCtl;
run(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  stdin: readStdin,
  env: process.env,
}).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`Error: ${String(err)}\n`);
  process.exit(1);
});
