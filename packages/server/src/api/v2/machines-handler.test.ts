import { machinesHandler } from './machines-handler';
import type { HttpRequest } from '../http/types';

const req = (method: string): HttpRequest => ({
  method,
  path: '/v2/machines',
  query: new URLSearchParams(),
  headers: {},
  readBody: () => Promise.resolve(Buffer.alloc(0)),
});

describe('machinesHandler', () => {
  const cluster = {
    memberList: () =>
      Promise.resolve({
        header: undefined,
        members: [
          { ID: 2n, name: 'b', peerURLs: [], clientURLs: ['http://127.0.0.1:2', 'http://localhost:2'], isLearner: false },
          { ID: 1n, name: 'a', peerURLs: [], clientURLs: ['http://127.0.0.1:1'], isLearner: false },
          { ID: 3n, name: '', peerURLs: ['http://x'], clientURLs: [], isLearner: false },
        ],
      }),
  };

  it('lists every client URL, sorted, comma-space separated', async () => {
    const res = await machinesHandler(cluster)(req('GET'));
    expect([res.status, res.body]).toEqual([200, 'http://127.0.0.1:1, http://127.0.0.1:2, http://localhost:2']);
  });

  it('answers 405 with Allow: GET,HEAD for other methods', async () => {
    const res = await machinesHandler(cluster)(req('POST'));
    expect([res.status, res.headers?.allow]).toEqual([405, 'GET,HEAD']);
  });
});
