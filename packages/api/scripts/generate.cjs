#!/usr/bin/env node
// Regenerates src/gen/ from proto/ with buf + the local ts-proto plugin (no network).
// Usage: npm run generate -w packages/api
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const pkgDir = path.resolve(__dirname, '..');
const rootDir = path.resolve(pkgDir, '..', '..');
const buf = path.join(rootDir, 'node_modules', '.bin', 'buf');
const plugin = path.join(rootDir, 'node_modules', '.bin', 'protoc-gen-ts_proto');
for (const bin of [buf, plugin]) {
  if (!fs.existsSync(bin)) {
    console.error(`generate: missing ${bin}; run npm install at the repo root`);
    process.exit(1);
  }
}
execFileSync(buf, ['generate'], { cwd: pkgDir, stdio: 'inherit' });

// The schema table for the gateway JSON codec, from buf's descriptor image.
const os = require('node:os');
const { emitSchema } = require('./emit-schema.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-api-'));
try {
  const imagePath = path.join(tmp, 'image.json');
  execFileSync(buf, ['build', '--exclude-source-info', '-o', imagePath], { cwd: pkgDir, stdio: 'inherit' });
  const image = JSON.parse(fs.readFileSync(imagePath, 'utf8'));
  fs.writeFileSync(path.join(pkgDir, 'src', 'gen', 'schema.ts'), emitSchema(image));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const genDir = path.join(pkgDir, 'src', 'gen');
let count = 0;
const walk = (dir) => {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p);
    else if (ent.name.endsWith('.ts')) count++;
  }
};
walk(genDir);
console.log(`generate: wrote ${count} files under ${path.relative(rootDir, genDir)}`);
