import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: ['**/*', '!tsetcdctl.cjs*'],
    target: 'node20',
  },
  {
    // the tsetcdctl bin: one self-contained CommonJS file
    entry: { tsetcdctl: 'src/bin-ctl.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    banner: { js: '#!/usr/bin/env node' },
    noExternal: [/^@tsetcd\//],
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
]);
