// tsetcdctl make-mirror against Debian's etcdctl 3.4.23: each tool mirrors its own prefix from one server to
// a second one of the same kind (real etcd, then tsetcd) while the source changes; the output, exit code and
// the mirrored keys (prefix and revisions normalised) must match.
import { runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { startEtcd, startTsetcd, type ServerHandle } from '../../support/server-process';
import { normalizeWrite, stderrLines } from './ctl-normalize';
import { assertTsetcdctlBuilt, runTsetcdctl } from './run-ctl';

jest.setTimeout(60_000);

const start = (kind: 'etcd' | 'tsetcd'): Promise<ServerHandle> => (kind === 'etcd' ? startEtcd() : startTsetcd());

function view(r: EtcdctlResult): { stdout: string; stderr: string[]; exitCode: number } {
  return { stdout: r.stdout, stderr: stderrLines(r.stderr), exitCode: r.exitCode };
}

/** make-mirror never ends by itself: each tool mirrors for this long, then is killed. */
const MIRROR_MS = 3_000;
/** When the source changes while a mirror runs (after its initial copy). */
const MIRROR_WRITES_AT_MS = 1_200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each(['etcd', 'tsetcd'] as const)('make-mirror matches etcdctl 3.4.23 between two %s servers', (kind) => {
  let src: ServerHandle | undefined;
  let dst: ServerHandle | undefined;
  const eps = (): { s: string; d: string } => {
    if (!src || !dst) throw new Error('servers not started');
    return { s: src.endpoint, d: dst.endpoint };
  };

  beforeAll(async () => {
    assertTsetcdctlBuilt();
    [src, dst] = await Promise.all([start(kind), start(kind)]);
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  test('argument errors', async () => {
    for (const args of [['make-mirror'], ['make-mirror', 'a', 'b'], ['make-mirror', '--dest-prefix', 'x', '--no-dest-prefix', eps().d]]) {
      const e = await runEtcdctl(eps().s, args);
      const t = await runTsetcdctl(eps().s, args);
      expect({ args, ...view(t) }).toEqual({ args, ...view(e) });
    }
  });

  /** Seeds `<p>` keys on the source, mirrors with `flags`, changes the source while the mirror runs. */
  async function mirrorRun(tool: 'e' | 't', p: string, flags: string[]): Promise<EtcdctlResult> {
    const { s, d } = eps();
    for (const args of [['put', `${p}a`, '1'], ['put', `${p}b`, '2'], ['put', `${p}gone`, 'x'], ['put', `other-${p}`, 'not mirrored']]) await runEtcdctl(s, args);
    const args = ['make-mirror', ...flags, d];
    const running = tool === 'e' ? runEtcdctl(s, args, {}, { timeoutMs: MIRROR_MS }) : runTsetcdctl(s, args, {}, '', MIRROR_MS);
    await sleep(MIRROR_WRITES_AT_MS);
    await runEtcdctl(s, ['put', `${p}c`, '3']);
    await runEtcdctl(s, ['del', `${p}gone`]);
    await runEtcdctl(s, ['txn'], {}, { input: `\nput ${p}a 1b\nput ${p}d 4\n\n\n` });
    return running;
  }

  test('--prefix with --dest-prefix: the copy and the later changes land renamed; nothing printed before the 30 s count', async () => {
    const e = await mirrorRun('e', 'src-e/', ['--prefix', 'src-e/', '--dest-prefix', 'dst-e/']);
    const t = await mirrorRun('t', 'src-t/', ['--prefix', 'src-t/', '--dest-prefix', 'dst-t/']);
    expect(view(t)).toEqual(view(e));
    const de = await runEtcdctl(eps().d, ['get', 'dst-e/', '--prefix', '-w', 'json']);
    const dt = await runEtcdctl(eps().d, ['get', 'dst-t/', '--prefix', '-w', 'json']);
    const keysOf = (r: EtcdctlResult, p: string): string => normalizeWrite(r.stdout, p).replace(/"(cluster_id|member_id|raft_term)":\d+/g, '"$1":<n>');
    expect(keysOf(dt, 'dst-t/')).toEqual(keysOf(de, 'dst-e/'));
    expect((await runEtcdctl(eps().d, ['get', 'dst-e/', '--prefix', '--keys-only'])).stdout).toBe('dst-e/a\n\ndst-e/b\n\ndst-e/c\n\ndst-e/d\n\n');
  });

  test('--no-dest-prefix strips the source prefix', async () => {
    const e = await mirrorRun('e', 'np-e/', ['--prefix', 'np-e/', '--no-dest-prefix']);
    const t = await mirrorRun('t', 'np-t/', ['--prefix', 'np-t/', '--no-dest-prefix']);
    expect(view(t)).toEqual(view(e));
    const get = async (): Promise<string> => (await runEtcdctl(eps().d, ['get', '', '--prefix'])).stdout;
    expect(await get()).toMatch(/^a\n1b\nb\n2\nc\n3\nd\n4\n/);
  });
});
