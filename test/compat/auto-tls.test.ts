// --auto-tls and --peer-auto-tls with https client and peer URLs: real etcd (expected) and
// tsetcd (received) each make self-signed certificates in <data-dir>/fixtures/{client,peer} and
// serve over them. Debian's etcdctl talks to both with --insecure-skip-tls-verify (outputs
// compared masked) and fails against both without it; the certificates carry the same subject,
// SANs and usages.

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEtcdctl, type EtcdctlResult } from '../support/etcdctl';
import type { ServerHandle, ServerOptions } from '../support/server-process';
import { normalizeEtcdctl } from './etcdctl-output';
import { SIDE_NAMES, useEtcdctlStepDiff, type EtcdctlStep } from './etcdctl-steps';

const AUTO_TLS: ServerOptions = { clientScheme: 'https', peerScheme: 'https', extraArgs: ['--auto-tls', '--peer-auto-tls'] };
/** etcdctl 3.4 dials TLS only with --insecure-transport=false; the self-signed certificate is not verified. */
const INSECURE = ['--insecure-transport=false', '--insecure-skip-tls-verify'];

const steps: EtcdctlStep[] = [
  { name: 'put', args: [...INSECURE, 'put', 'tls-key', 'tls-value'], exitCode: 0 },
  { name: 'get', args: [...INSECURE, 'get', 'tls-key'], exitCode: 0 },
  { name: 'get --keys-only', args: [...INSECURE, 'get', 'tls-key', '--keys-only'], exitCode: 0 },
  { name: 'member list (https peer URL, https client URL)', args: [...INSECURE, 'member', 'list'], exitCode: 0 },
  { name: 'del', args: [...INSECURE, 'del', 'tls-key'], exitCode: 0 },
];

/** What the two servers' outputs differ in besides ports and names: member ids and timings. */
function normalize(result: EtcdctlResult, server: ServerHandle): EtcdctlResult {
  const n = normalizeEtcdctl(result, server);
  const mask = (t: string): string => t.replace(/^[0-9a-f]{1,16}, started/gm, '<id>, started');
  return { exitCode: n.exitCode, stdout: mask(n.stdout), stderr: mask(n.stderr) };
}

/** The parts of a self-signed certificate both servers decide the same way. */
function certShape(file: string): Record<string, unknown> {
  const x = new X509Certificate(readFileSync(file));
  return { subject: x.subject, issuer: x.issuer, san: x.subjectAltName, ca: x.ca, extKeyUsage: x.keyUsage, selfSigned: x.verify(x.publicKey) };
}

describe(`--auto-tls / --peer-auto-tls: ${SIDE_NAMES[0]} (expected) vs ${SIDE_NAMES[1]} (received)`, () => {
  const unverified: EtcdctlResult[] = [];
  const { servers } = useEtcdctlStepDiff(steps, normalize, AUTO_TLS, async (server, side) => {
    unverified[side] = await runEtcdctl(server.url, ['--insecure-transport=false', '--command-timeout', '2s', 'get', 'tls-key']);
  });

  test('both serve https client URLs', () => {
    for (const server of servers) expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('etcdctl that verifies the self-signed certificate fails against both', () => {
    expect(unverified[0]!.exitCode).not.toBe(0);
    expect(unverified[1]!.exitCode).toBe(unverified[0]!.exitCode);
  });

  test.each(['client', 'peer'])('fixtures/%s/cert.pem and key.pem: the same subject, SANs and usages', (dir) => {
    const shapes = servers.map((s) => {
      const certFile = join(s.dataDir, 'fixtures', dir, 'cert.pem');
      expect(existsSync(join(s.dataDir, 'fixtures', dir, 'key.pem'))).toBe(true);
      return certShape(certFile);
    });
    expect(shapes[0]).toMatchObject({ subject: 'O=etcd', san: 'IP Address:127.0.0.1', selfSigned: true });
    expect(shapes[1]).toEqual(shapes[0]);
  });
});
