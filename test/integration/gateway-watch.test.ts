// The Watch service over the client port of an in-process tsetcd: gRPC (raw grpc-js client) with
// prev_kv and fragmented catch-up, the /v3/watch gateway as streamed JSON, and over a websocket.

import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { RunningServer } from '../../packages/server/src/main';
import { startServing } from './member-helpers';
import { rawClient, type RawClient } from '../support/raw-client';
import { waitFor } from '../support/wait';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function post(url: string, body: string): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, contentType: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}


interface WatchResponseLike {
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  fragment: boolean;
  header?: { revision: bigint };
  events: { type: number; kv?: { key: Buffer; modRevision: bigint; value: Buffer }; prevKv?: { value: Buffer } }[];
}

describe('Watch over gRPC and the /v3 gateway', () => {
  let dir: string;
  let server: RunningServer;
  let endpoint: string;
  let client: RawClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-watch-gw-'));
    server = await startServing(dir);
    endpoint = server.clientUrls[0]!;
    client = rawClient(endpoint.replace('http://', ''));
  }, 20_000);

  afterAll(async () => {
    client?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('gRPC: created, then events with prev_kv; cancel answers canceled', async () => {
    const got: WatchResponseLike[] = [];
    const stream = client.bidi('Watch', 'watch', { onResponse: (r) => got.push(r as WatchResponseLike) });
    try {
      await client.call('KV', 'put', { key: Buffer.from('g/k'), value: Buffer.from('old') });
      stream.send({ createRequest: { key: Buffer.from('g/k'), prevKv: true } });
      await waitFor(() => got.length === 1);
      expect(got[0]).toMatchObject({ watchId: 0n, created: true });
      await client.call('KV', 'put', { key: Buffer.from('g/k'), value: Buffer.from('new') });
      await waitFor(() => got.length === 2);
      expect(got[1]!.events[0]!.kv!.value.toString()).toBe('new');
      expect(got[1]!.events[0]!.prevKv!.value.toString()).toBe('old');
      expect(got[1]!.header!.revision).toBe(got[1]!.events[0]!.kv!.modRevision);
      stream.send({ cancelRequest: { watchId: 0n } });
      await waitFor(() => got.length === 3);
      expect(got[2]).toMatchObject({ watchId: 0n, canceled: true });
    } finally {
      stream.cancel();
    }
  });

  test('gRPC: a catch-up response over max-request-bytes + 512 KiB is split into fragments', async () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    const first = (await client.call('KV', 'put', { key: Buffer.from('frag/a'), value: big })) as { header: { revision: bigint } };
    await client.call('KV', 'put', { key: Buffer.from('frag/b'), value: big });
    await client.call('KV', 'put', { key: Buffer.from('frag/c'), value: big });
    const got: WatchResponseLike[] = [];
    const stream = client.bidi('Watch', 'watch', { onResponse: (r) => got.push(r as WatchResponseLike) });
    try {
      stream.send({ createRequest: { key: Buffer.from('frag/'), rangeEnd: Buffer.from('frag0'), startRevision: first.header.revision, fragment: true } });
      await waitFor(() => got.filter((r) => r.events.length > 0).reduce((n, r) => n + r.events.length, 0) === 3);
      const pieces = got.filter((r) => r.events.length > 0);
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.map((p) => p.fragment)).toEqual([...pieces.slice(1).map(() => true), false]);
      expect(pieces.flatMap((p) => p.events.map((e) => e.kv!.key.toString()))).toEqual(['frag/a', 'frag/b', 'frag/c']);
    } finally {
      stream.cancel();
    }
  });

  test('gateway: /v3/watch streams one {"result":...} line per response; /v3beta works too', async () => {
    const lines: string[] = [];
    const req = http.request(`${endpoint}/v3beta/watch`, { method: 'POST' }, (res) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    });
    req.on('error', () => undefined);
    // Two creates in one body, then the body ends: the stream stays open.
    req.end(`{"create_request":{"key":"${b64('gw/a')}"}}\n{"create_request":{"key":"${b64('gw/b')}"}}`);
    try {
      await waitFor(() => lines.length === 2);
      const created = lines.map((l) => JSON.parse(l) as { result: Record<string, unknown> });
      expect(created[0]!.result.created).toBe(true);
      expect(created[0]!.result.watch_id).toBeUndefined();
      expect(created[1]!.result.watch_id).toBe('1');
      const put = await post(`${endpoint}/v3/kv/put`, JSON.stringify({ key: b64('gw/b'), value: b64('v') }));
      expect(put.status).toBe(200);
      await waitFor(() => lines.length === 3);
      const ev = JSON.parse(lines[2]!) as { result: { watch_id: string; events: { kv: { key: string; value: string } }[] } };
      expect(ev.result.watch_id).toBe('1');
      expect(ev.result.events[0]!.kv).toMatchObject({ key: b64('gw/b'), value: b64('v') });
    } finally {
      req.destroy();
    }
  });

  test('gateway: /v3/watch over a websocket, one text frame per response', async () => {
    const ws = new WebSocket(`${endpoint.replace('http://', 'ws://')}/v3/watch`);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      ws.send(JSON.stringify({ create_request: { key: b64('ws/a'), watch_id: 7 } }));
      await waitFor(() => frames.length === 1);
      expect(frames[0]).toMatchObject({ result: { watch_id: '7', created: true } });
      ws.send(JSON.stringify({ create_request: { key: b64('ws/a'), watch_id: 7 } }));
      await waitFor(() => frames.length === 2);
      expect(frames[1]).toMatchObject({ result: { watch_id: '-1', created: true, canceled: true, cancel_reason: 'mvcc: duplicate watch ID provided on the WatchStream' } });
      await post(`${endpoint}/v3/kv/put`, JSON.stringify({ key: b64('ws/a'), value: b64('1') }));
      await waitFor(() => frames.length === 3);
      expect(frames[2]).toMatchObject({ result: { watch_id: '7', events: [{ kv: { key: b64('ws/a'), value: b64('1') } }] } });
      ws.send(JSON.stringify({ progress_request: {} }));
      await waitFor(() => frames.length === 4);
      expect(frames[3]).toMatchObject({ result: { watch_id: '-1' } });
    } finally {
      ws.close();
    }
  });

  test('gateway: unary errors render like grpc-gateway (status from the code, JSON body)', async () => {
    const empty = await post(`${endpoint}/v3/kv/range`, '{}');
    expect(empty).toEqual({ status: 400, contentType: 'application/json', body: '{"error":"etcdserver: key is not provided","message":"etcdserver: key is not provided","code":3}' });
    const garbage = await post(`${endpoint}/v3/kv/put`, 'garbage');
    expect(JSON.parse(garbage.body)).toEqual({ error: "invalid character 'g' looking for beginning of value", message: "invalid character 'g' looking for beginning of value", code: 3 });
    const unknown = await post(`${endpoint}/v3/kv/nothing`, '{}');
    expect(unknown.status).toBe(404);
    const badStream = await post(`${endpoint}/v3/watch`, 'garbage');
    expect(badStream).toEqual({
      status: 500,
      contentType: 'application/json',
      body: '{"error":"invalid character \'g\' looking for beginning of value","message":"invalid character \'g\' looking for beginning of value","code":2}',
    });
  });
});
