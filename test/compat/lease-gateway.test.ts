// The lease calls through the /v3 JSON gateway on real etcd and on tsetcd: unary grant / time-to-live
// (and the /v3/kv/lease alias) / leases / revoke, the LeaseKeepAlive stream as streamed JSON over a
// POST and over a websocket. Bodies are compared after masking the member-specific header ids.
import WebSocket from 'ws';
import { startEtcd, startTsetcd, type ServerHandle } from '../support/server-process';

const LEASE = 4242;
const HEADER_IDS = /"(cluster_id|member_id)":"\d+"/g;
const mask = (body: string): string => body.replace(HEADER_IDS, '"$1":"<id>"').trim();

async function post(server: ServerHandle, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return `${res.status} ${mask(await res.text())}`;
}

/** Sends each keep-alive request over a websocket and collects one answer per request. */
function keepAliveOverWebsocket(server: ServerHandle, ids: number[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http://', 'ws://')}/v3/lease/keepalive`);
    const answers: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`websocket keep-alive: ${answers.length}/${ids.length} answers`));
    }, 5_000);
    ws.on('open', () => {
      for (const id of ids) ws.send(JSON.stringify({ ID: id }));
    });
    ws.on('message', (m: Buffer) => {
      answers.push(mask(m.toString()));
      if (answers.length === ids.length) {
        clearTimeout(timer);
        ws.close();
        resolve(answers);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function script(server: ServerHandle): Promise<string[]> {
  const out: string[] = [];
  out.push(await post(server, '/v3/lease/grant', { ID: LEASE, TTL: 600 }));
  out.push(await post(server, '/v3/kv/put', { key: Buffer.from('gw-k').toString('base64'), value: 'dg==', lease: LEASE }));
  out.push(await post(server, '/v3/lease/keepalive', { ID: LEASE }));
  out.push(await post(server, '/v3/lease/keepalive', { ID: 999 }));
  out.push(...(await keepAliveOverWebsocket(server, [LEASE, 999, LEASE])));
  out.push((await post(server, '/v3/kv/lease/timetolive', { ID: LEASE, keys: true })).replace(/"TTL":"\d+"/, '"TTL":"<ttl>"'));
  out.push(await post(server, '/v3/lease/timetolive', { ID: 999 }));
  out.push(await post(server, '/v3/lease/leases', {}));
  out.push(await post(server, '/v3/lease/revoke', { ID: LEASE }));
  out.push(await post(server, '/v3/kv/lease/revoke', { ID: LEASE }));
  out.push(await post(server, '/v3/kv/range', { key: Buffer.from('gw-k').toString('base64') }));
  return out;
}

describe('lease through the /v3 gateway: etcd vs tsetcd', () => {
  let etcd: ServerHandle;
  let tsetcd: ServerHandle;
  beforeAll(async () => {
    [etcd, tsetcd] = await Promise.all([startEtcd(), startTsetcd()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([etcd?.stop(), tsetcd?.stop()]);
  });

  it('answers the same sequence with the same bodies', async () => {
    const expected = await script(etcd);
    const received = await script(tsetcd);
    expect(received).toEqual(expected);
    // the sequence did what it says (guards against both servers failing the same way)
    expect(expected[2]).toContain('"TTL":"600"');
    expect(expected.some((s) => s.includes('"keys":["Z3ctaw=="]'))).toBe(true);
  }, 60_000);
});
