import { simulate, SimFailure } from './simulate';
import type { RaftMutation } from '../../packages/server/src/raft/types';
const muts: RaftMutation[] = ['commit-prior-term-by-count','forget-vote-on-restart'];
it('quick', () => {
  let ok = 0; const t0 = Date.now();
  for (let seed = 1; seed <= 100; seed++) { try { simulate({ seed, size: 3 }); ok++; } catch (e) { console.log((e as Error).message.slice(0, 300)); } }
  console.log('base ok', ok, Date.now() - t0);
  for (const m of muts) {
    const found: string[] = [];
    const t1 = Date.now();
    for (let seed = 1; seed <= 200 && found.length < 3; seed++) {
      for (const size of [3, 5]) {
        try { simulate({ seed, size, mutations: new Set([m]) }); } catch (e) { const f = e as SimFailure; found.push(`${seed}/${size} ${f.kind} ${f.property ?? ''} ${f.detail.slice(0, 120)}`); }
      }
    }
    console.log(m, Date.now() - t1, 'ms\n', found.join('\n '));
  }
});
