// Peer TLS options and the https peer listener's identity checks (--peer-cert-allowed-cn,
// --peer-cert-allowed-hostname), against certificates made by the openssl CLI.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HAVE_OPENSSL, makeTestCerts } from '../../../../test/support/tls-certs';
import { createPeerFetch } from './peer-fetch';
import { loadPeerTls, type PeerTlsConfig } from './peer-tls';
import { bindPeers, type PeerListener } from './ws-transport';

const NO_TLS: PeerTlsConfig = {
  peerCertFile: '',
  peerKeyFile: '',
  peerTrustedCaFile: '',
  peerClientCertAuth: false,
  peerCertAllowedCn: '',
  peerCertAllowedHostname: '',
  peerCrlFile: '',
  peerAutoTls: false,
  dataDir: '/nonexistent',
  listenPeerUrls: ['https://127.0.0.1:2380'],
};

describe('loadPeerTls without a key pair', () => {
  it('is plain http (undefined)', async () => {
    await expect(loadPeerTls(NO_TLS)).resolves.toBeUndefined();
  });

  it('an https peer URL then fails to bind with etcd\'s error', async () => {
    await expect(bindPeers(['https://127.0.0.1:0'])).rejects.toThrow('cannot listen on TLS for 127.0.0.1:0: KeyFile and CertFile are not presented');
  });
});

(HAVE_OPENSSL ? describe : describe.skip)('the https peer listener', () => {
  let dir: string;
  let file: (name: string) => string;
  const listeners: PeerListener[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'peer-tls-'));
    file = await makeTestCerts(dir, [{ name: 'peer', cn: 'member' }]);
  });

  afterAll(async () => {
    await Promise.all(listeners.map((l) => new Promise((r) => l.server.close(r))));
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(extra: Partial<PeerTlsConfig>): Promise<{ url: string; status: () => Promise<number | string> }> {
    const config: PeerTlsConfig = { ...NO_TLS, peerCertFile: file('peer.crt'), peerKeyFile: file('peer.key'), peerTrustedCaFile: file('ca.crt'), ...extra };
    const peerTls = await loadPeerTls(config);
    expect(peerTls?.server.requestCert).toBe(true);
    const [listener] = await bindPeers(['https://127.0.0.1:0'], peerTls);
    listeners.push(listener!);
    listener!.server.on('request', (_req, res) => res.end('ok'));
    const peerFetch = createPeerFetch(peerTls);
    return {
      url: listener!.url,
      status: () => peerFetch(`${listener!.url}/members`).then((r) => r.status, (err: Error) => err.message),
    };
  }

  it('answers a peer with the trusted pair, over https', async () => {
    const s = await serve({});
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await s.status()).toBe(200);
  });

  it('checks the allowed CN and host name of the peer certificate', async () => {
    expect(await (await serve({ peerCertAllowedCn: 'member' })).status()).toBe(200);
    expect(await (await serve({ peerCertAllowedCn: 'another' })).status()).toEqual(expect.any(String));
    expect(await (await serve({ peerCertAllowedHostname: 'localhost' })).status()).toBe(200);
    expect(await (await serve({ peerCertAllowedHostname: 'member.example.com' })).status()).toEqual(expect.any(String));
  });

  it('a client that trusts the CA but has no certificate is refused', async () => {
    const s = await serve({});
    const bare = createPeerFetch({ server: {}, client: { ca: await readFile(file('ca.crt')) } });
    expect(await bare(`${s.url}/members`).then((r) => r.status, (err: Error) => err.message)).toEqual(expect.any(String));
  });
});
