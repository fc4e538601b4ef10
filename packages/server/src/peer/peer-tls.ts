// Peer TLS (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file, --peer-client-cert-auth,
// --peer-cert-allowed-cn, --peer-cert-allowed-hostname, --peer-crl-file): one key pair serves the peer listener and identifies
// this member when it dials its peers, as etcd's PeerTLSInfo does for both sides.

import { readFile } from 'node:fs/promises';
import * as tls from 'node:tls';

export interface PeerTlsConfig {
  readonly peerCertFile: string;
  readonly peerKeyFile: string;
  readonly peerTrustedCaFile: string;
  readonly peerClientCertAuth: boolean;
  readonly peerCertAllowedCn: string;
  readonly peerCertAllowedHostname: string;
  readonly peerCrlFile: string;
  readonly peerAutoTls: boolean;
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

/** Reads the peer key pair, CA and CRL; undefined when no pair is given (plain http peers). */
export async function loadPeerTls(config: PeerTlsConfig): Promise<PeerTls | undefined> {
  if (config.peerCertFile === '' || config.peerKeyFile === '') {
    if (config.peerAutoTls) throw new Error('--peer-auto-tls is not supported by tsetcd yet; give --peer-cert-file and --peer-key-file');
    return undefined;
  }
  const optional = (file: string): Promise<Buffer | undefined> => (file === '' ? Promise.resolve(undefined) : readFile(file));
  const [cert, key, ca, crl] = await Promise.all([
    readFile(config.peerCertFile),
    readFile(config.peerKeyFile),
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
    client: { cert, key, ...(ca !== undefined ? { ca } : {}) },
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
