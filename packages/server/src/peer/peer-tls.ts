// Peer TLS (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file, --peer-client-cert-auth,
// --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file, --peer-auto-tls): one key
// pair serves the peer listener and identifies this member when it dials its peers, as etcd's
// PeerTLSInfo does for both sides.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tls from 'node:tls';
import { selfCert } from '../pkg/self-cert';

export interface PeerTlsConfig {
  readonly peerCertFile: string;
  readonly peerKeyFile: string;
  readonly peerTrustedCaFile: string;
  readonly peerClientCertAuth: boolean;
  readonly peerCertAllowedCn: string;
  readonly peerCertAllowedHostname: string;
  readonly peerCrlFile: string;
  readonly peerAutoTls: boolean;
  /** --peer-auto-tls keeps its certificate in <data-dir>/fixtures/peer, for the listen hosts. */
  readonly dataDir: string;
  readonly listenPeerUrls: readonly string[];
}

export interface PeerTls {
  /** https.createServer options: the member's pair; client certificates required when a CA or client-cert auth is set. */
  readonly server: tls.TlsOptions;
  /** Outbound https/wss options: the same pair as client certificate, the trusted CA as roots. */
  readonly client: tls.ConnectionOptions;
  /** --peer-cert-allowed-cn: an inbound peer's certificate must carry this CommonName. */
  readonly allowedCn?: string;
  /** --peer-cert-allowed-hostname: an inbound peer's certificate must be valid for this host name. */
  readonly allowedHostname?: string;
}

/** etcd's message when an https peer URL has no key pair to listen with. */
export function peerTlsMissingError(listenAddress: string): Error {
  return new Error(`cannot listen on TLS for ${listenAddress}: KeyFile and CertFile are not presented`);
}

/**
 * Reads the peer key pair, CA and CRL; with --peer-auto-tls and no pair, a self-signed pair that
 * peers do not verify (etcd's selfCert). Undefined when neither is given (plain http peers).
 */
export async function loadPeerTls(config: PeerTlsConfig): Promise<PeerTls | undefined> {
  let files = { certFile: config.peerCertFile, keyFile: config.peerKeyFile };
  const selfSigned = (files.certFile === '' || files.keyFile === '') && config.peerAutoTls;
  if (selfSigned) {
    files = await selfCert(path.join(config.dataDir, 'fixtures', 'peer'), config.listenPeerUrls.map((u) => new URL(u).host));
  } else if (files.certFile === '' || files.keyFile === '') {
    return undefined;
  }
  const optional = (file: string): Promise<Buffer | undefined> => (file === '' ? Promise.resolve(undefined) : readFile(file));
  const [cert, key, ca, crl] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    optional(config.peerTrustedCaFile),
    optional(config.peerCrlFile),
  ]);
  const requireClientCert = ca !== undefined || config.peerClientCertAuth;
  return {
    server: {
      cert,
      key,
      ...(ca !== undefined ? { ca } : {}),
      ...(crl !== undefined ? { crl } : {}),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    client: { cert, key, ...(ca !== undefined ? { ca } : {}), ...(selfSigned ? { rejectUnauthorized: false } : {}) },
    ...(config.peerCertAllowedCn !== '' ? { allowedCn: config.peerCertAllowedCn } : {}),
    ...(config.peerCertAllowedHostname !== '' ? { allowedHostname: config.peerCertAllowedHostname } : {}),
  };
}

/** The identity checks of --peer-cert-allowed-cn and --peer-cert-allowed-hostname on an accepted TLS socket. */
export function peerIdentityAllowed(socket: tls.TLSSocket, peerTls: PeerTls): boolean {
  if (peerTls.allowedCn === undefined && peerTls.allowedHostname === undefined) return true;
  const cert = socket.getPeerCertificate();
  if (peerTls.allowedCn !== undefined) {
    const cn = (cert.subject as Record<string, string | string[]> | undefined)?.CN;
    if (!(Array.isArray(cn) ? cn.includes(peerTls.allowedCn) : cn === peerTls.allowedCn)) return false;
  }
  return peerTls.allowedHostname === undefined || tls.checkServerIdentity(peerTls.allowedHostname, cert) === undefined;
}
