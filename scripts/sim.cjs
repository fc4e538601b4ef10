#!/usr/bin/env node
// Long simulation runs outside jest:
//   npm run sim -- --seeds 100000 [--size 3|5] [--from n] [--seed n] [--mutation name]
//   SEED=n [SIZE=3|5] npm run sim       replays one seed and prints its report and trace hash
//   npm run sim -- --mutation-rates N [--end-to-end]
//                                       for every RaftMutation: in how many of seeds 1..N the sim
//                                       catches it, and by what (--end-to-end: without the two
//                                       protocol-rule checks, end-to-end properties only)
// TypeScript under test/sim and packages/*/src is compiled on the fly with @swc/core.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const SWC_OPTIONS = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  module._compile(code, filename);
};

function parseArgs(argv) {
  const args = { seeds: 1000, sizes: [3, 5], from: 1, seed: undefined, mutation: undefined, verbose: false, mutationRates: 0, endToEnd: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seeds') args.seeds = Number(next());
    else if (a === '--size') args.sizes = [Number(next())];
    else if (a === '--from') args.from = Number(next());
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--mutation') args.mutation = next();
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--mutation-rates') args.mutationRates = Number(next());
    else if (a === '--end-to-end') args.endToEnd = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run sim -- [--seeds N] [--size 3|5] [--from N] [--seed N] [--mutation NAME] [--verbose]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (process.env.SEED !== undefined && args.seed === undefined) args.seed = Number(process.env.SEED);
  if (process.env.SIZE !== undefined) args.sizes = [Number(process.env.SIZE)];
  for (const s of args.sizes) if (s !== 3 && s !== 5) throw new Error(`--size must be 3 or 5, got ${s}`);
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, '..');
  const { simulate, SimFailure } = require(path.join(root, 'test/sim/simulate.ts'));
  const { runSeeds, formatSummary, mergeSummary } = require(path.join(root, 'test/sim/run-seeds.ts'));
  const mutations = args.mutation ? new Set([args.mutation]) : undefined;

  if (args.mutationRates > 0) {
    const MUTATIONS = [
      'commit-prior-term-by-count',
      'vote-without-log-check',
      'ack-append-before-persist',
      'forget-vote-on-restart',
      'read-index-without-quorum',
      'apply-beyond-commit',
      'no-term-check-on-append',
    ];
    for (const mutation of args.mutation ? [args.mutation] : MUTATIONS) {
      for (const size of args.sizes) {
        const s = runSeeds({ size, firstSeed: 1, count: args.mutationRates, mutations: new Set([mutation]), protocolRules: !args.endToEnd });
        const by = {};
        for (const f of s.failures) {
          const k = f.property ? `${f.kind}:${f.property}` : f.kind;
          by[k] = (by[k] || 0) + 1;
        }
        const first = s.failures[0] ? s.failures[0].seed : '-';
        const pct = ((100 * s.failures.length) / s.seeds).toFixed(1);
        console.log(`${mutation} size ${size}: caught in ${s.failures.length}/${s.seeds} seeds (${pct}%), first at seed ${first}; by ${JSON.stringify(by)}`);
      }
    }
    process.exit(0);
  }

  if (args.seed !== undefined) {
    let failed = false;
    for (const size of args.sizes) {
      try {
        const report = simulate({ seed: args.seed, size, mutations });
        console.log(JSON.stringify(report, null, 1));
        console.log(`seed ${args.seed} size ${size}: ok, trace ${report.traceHash}`);
      } catch (err) {
        if (!(err instanceof SimFailure)) throw err;
        console.error(err.message);
        failed = true;
      }
    }
    process.exit(failed ? 1 : 0);
  }

  let failures = 0;
  const PROGRESS_EVERY = 1000;
  for (const size of args.sizes) {
    let total;
    const startMs = Date.now();
    // Run in slices so that progress shows on long runs.
    while (!total || total.seeds < args.seeds) {
      const done = total ? total.seeds : 0;
      const count = Math.min(PROGRESS_EVERY, args.seeds - done);
      const part = runSeeds({ size, firstSeed: args.from + done, count, mutations, stopAtFirstFailure: mutations !== undefined });
      if (total) mergeSummary(total, part);
      else total = part;
      for (const f of part.failures.slice(0, 3)) console.error(f.message);
      if (args.verbose) console.log(formatSummary(part));
      if (total.seeds < args.seeds) {
        console.log(`size ${size}: ${total.seeds}/${args.seeds} seeds, ${total.failures.length} failures, ${((Date.now() - startMs) / 1000).toFixed(0)} s`);
      }
      if (mutations && part.failures.length > 0) break;
    }
    failures += total.failures.length;
    console.log(formatSummary(total));
  }
  process.exit(failures > 0 ? 1 : 0);
}

main();
