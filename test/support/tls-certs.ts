// Test certificates made with the openssl CLI: a CA (ca.crt / ca.key) and leaf pairs signed by it
// (<name>.crt / <name>.key, CN = the name unless given, SAN 127.0.0.1 and localhost, usable as
// server and client certificates). Suites skip themselves where openssl is missing.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export const HAVE_OPENSSL = existsSync('/usr/bin/openssl') || existsSync('/usr/local/bin/openssl');

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LEAF_EXTENSIONS = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

export interface LeafSpec {
  readonly name: string;
  /** Subject CN (default: the name). */
  readonly cn?: string;
  /** The CA that signs it, by file prefix (default 'ca'; made on first use). */
  readonly ca?: string;
}

/** Makes the CAs and leaves in `dir`; returns the path of a file there by name (`file('ca.crt')`). */
export async function makeTestCerts(dir: string, leaves: readonly (string | LeafSpec)[]): Promise<(name: string) => string> {
  await writeFile(path.join(dir, 'leaf.ext'), LEAF_EXTENSIONS);
  const cas = new Set<string>();
  for (const leaf of leaves) {
    const spec: LeafSpec = typeof leaf === 'string' ? { name: leaf } : leaf;
    const ca = spec.ca ?? 'ca';
    if (!cas.has(ca)) {
      openssl(['req', '-x509', ...EC_KEY, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '1', '-subj', `/CN=tsetcd-test-${ca}`], dir);
      cas.add(ca);
    }
    openssl(['req', ...EC_KEY, '-keyout', `${spec.name}.key`, '-out', `${spec.name}.csr`, '-subj', `/CN=${spec.cn ?? spec.name}`], dir);
    openssl(['x509', '-req', '-in', `${spec.name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${spec.name}.crt`, '-days', '1', '-extfile', 'leaf.ext'], dir);
  }
  return (name) => path.join(dir, name);
}
