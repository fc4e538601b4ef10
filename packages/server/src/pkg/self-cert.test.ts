// The self-signed certificate of --auto-tls / --peer-auto-tls: parsed by Node's X509Certificate and
// by openssl (when present), valid for the listen hosts, self-verifying, reused once written.

import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_OPENSSL } from '../../../../test/support/tls-certs';
import { createSelfSignedCert, selfCert, SELF_CERT_VALIDITY_DAYS } from './self-cert';

const HOSTS = ['127.0.0.1:2380', 'localhost:2380', '[::1]:2380', 'node-1.example.com:2380', '127.0.0.1:12380'];

describe('createSelfSignedCert', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const { cert, key } = createSelfSignedCert(HOSTS, now);
  const x509 = new X509Certificate(cert);

  it('is a self-signed certificate of Organization etcd, valid for one year', () => {
    expect(x509.subject).toBe('O=etcd');
    expect(x509.issuer).toBe('O=etcd');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(new Date(x509.validFrom).getTime()).toBe(now.getTime());
    expect(new Date(x509.validTo).getTime() - now.getTime()).toBe(SELF_CERT_VALIDITY_DAYS * 24 * 3600 * 1000);
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('names every listen host once: IPs as IP SANs, names as DNS SANs', () => {
    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1, DNS:node-1.example.com');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('10.0.0.1')).toBeUndefined();
  });

  it('comes with its EC private key', () => {
    expect(key).toContain('-----BEGIN EC PRIVATE KEY-----');
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
  });

  (HAVE_OPENSSL ? it : it.skip)('is read by openssl, with the key usages etcd sets', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: cert }).toString();
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/Digital Signature, Key Encipherment/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/CA:FALSE/);
  });
});

describe('selfCert', () => {
  it('writes cert.pem and key.pem (0600) once and reuses them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'self-cert-'));
    try {
      const fixtures = path.join(dir, 'fixtures', 'peer');
      const first = await selfCert(fixtures, HOSTS);
      expect(first).toEqual({ certFile: path.join(fixtures, 'cert.pem'), keyFile: path.join(fixtures, 'key.pem') });
      expect((await stat(first.keyFile)).mode & 0o777).toBe(0o600);
      const written = await readFile(first.certFile, 'utf8');
      await selfCert(fixtures, ['10.1.1.1:2380']);
      expect(await readFile(first.certFile, 'utf8')).toBe(written);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
