// The member's HTTP client for its peers' peer URLs (member lookups on join, lease forwarding,
// learner promotion): fetch's shape, over node:http/https so https peers get the peer TLS pair.

import * as http from 'node:http';
import * as https from 'node:https';
import type { PeerTls } from './peer-tls';

export interface PeerFetchInit {
  readonly method?: string;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export interface PeerResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type PeerFetch = (url: string | URL, init?: PeerFetchInit) => Promise<PeerResponse>;

/** Answers are read whole; a peer answer larger than this is refused (they are member lists and lease replies). */
export const PEER_FETCH_MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createPeerFetch(peerTls?: PeerTls): PeerFetch {
  return (input, init = {}) =>
    new Promise<PeerResponse>((resolve, reject) => {
      const url = typeof input === 'string' ? new URL(input) : input;
      const secure = url.protocol === 'https:';
      const options: https.RequestOptions = {
        method: init.method ?? 'GET',
        headers: { ...(init.headers ?? {}), ...(init.body !== undefined ? { 'content-length': String(init.body.length) } : {}) },
        ...(init.signal !== undefined ? { signal: init.signal } : {}),
        ...(secure && peerTls !== undefined ? peerTls.client : {}),
      };
      const req = (secure ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > PEER_FETCH_MAX_BODY_BYTES) return req.destroy(new Error(`peer answer over ${PEER_FETCH_MAX_BODY_BYTES} bytes`));
          chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: {
              get: (name) => {
                const v = res.headers[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
              },
            },
            text: () => Promise.resolve(body.toString('utf8')),
            arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
          });
        });
      });
      req.on('error', reject);
      req.end(init.body);
    });
}
