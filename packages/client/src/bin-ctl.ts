// tsetcdctl: etcdctl 3.4's v3 command line on @tsetcd/client.
import { readStdin, runCtl } from './ctl/main';

// stdout is written as it comes (watch streams); exit once everything written has been flushed
const exitAfterFlush = (code: number): void => {
  process.stdout.write('', () => process.exit(code));
};

runCtl(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  stdin: readStdin,
  env: process.env,
}).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`Error: ${String(err)}\n`);
  process.exit(1);
});
