// etcd's SelfCert (--auto-tls, --peer-auto-tls): a self-signed ECDSA certificate for the listen
// URLs' hosts, kept as cert.pem / key.pem in a fixtures directory of the data dir and reused on
// later starts. Node has no certificate builder, so the X.509 DER is written here: one
// TBSCertificate (v3, Organization "etcd", one year, key usage digitalSignature|keyEncipherment,
// extended key usage serverAuth, not a CA, SANs; etcd 3.4's choices) signed with ECDSA P-256/SHA-256.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

export const SELF_CERT_VALIDITY_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;
const SERIAL_BYTES = 16;
const KEY_FILE_MODE = 0o600;

export interface SelfCertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

// ---- DER -------------------------------------------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const explicit = (n: number, c: Buffer): Buffer => tlv(0xa0 + n, c);
const octets = (c: Buffer): Buffer => tlv(0x04, c);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const TRUE = tlv(0x01, Buffer.from([0xff]));

/** A non-negative INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.from([unusedBits]), bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const groups = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = groups(tail);
  const all = ip.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

// ---- the certificate -------------------------------------------------------------------------

/** The host part of each `host:port` (IPs become IP SANs, names DNS SANs), duplicates dropped. */
function subjectAltNames(hosts: readonly string[]): Buffer {
  const names: Buffer[] = [];
  const seen = new Set<string>();
  for (const host of hosts) {
    const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (h === '' || seen.has(h)) continue;
    seen.add(h);
    names.push(isIP(h) !== 0 ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h, 'ascii')));
  }
  return sequence(...names);
}

/** A self-signed certificate and its key, both PEM. */
export function createSelfSignedCert(hosts: readonly string[], now = new Date()): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(oid(OID.organization), utf8('etcd'))));
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));
  const extensions = sequence(
    // digitalSignature (bit 0) | keyEncipherment (bit 2): 1010 0000, five unused bits
    sequence(oid(OID.keyUsage), TRUE, octets(bitString(Buffer.from([0xa0]), 5))),
    sequence(oid(OID.extKeyUsage), octets(sequence(oid(OID.serverAuth)))),
    sequence(oid(OID.basicConstraints), TRUE, octets(sequence())),
    sequence(oid(OID.subjectAltName), octets(subjectAltNames(hosts))),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(randomBytes(SERIAL_BYTES)),
    signatureAlgorithm,
    name,
    sequence(time(now), time(new Date(now.getTime() + SELF_CERT_VALIDITY_DAYS * DAY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  };
}

/** etcd's SelfCert: reuses `dir`/cert.pem and key.pem when both exist, else writes new ones. */
export async function selfCert(dir: string, hosts: readonly string[]): Promise<SelfCertFiles> {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = createSelfSignedCert(hosts);
  await writeFile(keyFile, key, { mode: KEY_FILE_MODE });
  await writeFile(certFile, cert);
  return { certFile, keyFile };
}
