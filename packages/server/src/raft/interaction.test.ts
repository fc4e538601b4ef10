// Runs every transcript in testdata/ through the interaction environment (REWRITE=1 regenerates).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDataDriven } from './testing/datadriven';
import { InteractionEnv } from './testing/interaction-env';

const dir = path.join(__dirname, 'testdata');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('raft interaction transcripts', () => {
  it('has scenario files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, () => {
      const env = new InteractionEnv();
      const { expected, actual } = runDataDriven(path.join(dir, f), (d) => env.handle(d));
      expect(actual).toBe(expected);
    });
  }
});
