// tsetcdctl: etcdctl 3.4's v3 command line on @tsetcd/client.
import { readStdin, runCtl } from './ctl/main';

const chunks: string[] = [];
const flushAndExit = (code: number): void => {
  process.stdout.write(chunks.join(''), () => process.exit(code));
};

runCtl(process.argv.slice(2), {
  out: (s) => chunks.push(s),
  err: (s) => process.stderr.write(s),
  stdin: readStdin,
  env: process.env,
}).then(flushAndExit, (err: unknown) => {
  process.stderr.write(`Error: ${String(err)}\n`);
  process.exit(1);
});
