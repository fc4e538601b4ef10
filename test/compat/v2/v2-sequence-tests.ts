// The two kinds of test every v2 sequence suite defines: etcd answers each step with the status it
// is annotated with (so a sequence keeps testing what it names), and each step's outcome on the
// target equals etcd's. Call inside a describe(); the runners are filled by its beforeAll.

import type { V2SequenceRunner } from './v2-runner';
import type { V2Step } from './v2-steps';

export function defineV2SequenceTests(
  flat: readonly { step: V2Step; label: string }[],
  runners: readonly V2SequenceRunner[],
  names: readonly [string, string],
  where = '',
): void {
  test(`etcd answers every step as annotated${where}`, () => {
    const reference = runners[0];
    if (reference === undefined) throw new Error('etcd did not run the sequence');
    const wrong = flat.flatMap(({ step, label }, i) => {
      const got = reference.raw[i];
      const [status, code] = Array.isArray(step.expect) ? step.expect : [step.expect, undefined];
      if (got?.status === status && (code === undefined || got.errorCode === code)) return [];
      return [`${label}: annotated ${status}${code === undefined ? '' : `/${code}`}, etcd answered ${got?.status}/${got?.errorCode ?? '-'}`];
    });
    expect(wrong).toEqual([]);
  });

  test.each(flat.map(({ label }, i) => [label, i] as const))('%s', (label, i) => {
    const expected = runners[0]?.outcomes[i];
    const received = runners[1]?.outcomes[i];
    if (expected === undefined || received === undefined) throw new Error('no outcome recorded (did both targets start?)');
    try {
      expect(received).toEqual(expected);
    } catch (err) {
      throw new Error(`${label} differs (Expected = ${names[0]}, Received = ${names[1]})\n${(err as Error).message}`);
    }
  });
}
