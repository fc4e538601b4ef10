import { defineConfig } from 'tsup';

// The server bundles @tsetcd/api (one artefact to ship); native lmdb stays external.
// dist/ is emptied by the build script, not by tsup: the two configs run in parallel.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    noExternal: ['@tsetcd/api'],
  },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['cjs'],
    sourcemap: true,
    target: 'node20',
    noExternal: ['@tsetcd/api'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
