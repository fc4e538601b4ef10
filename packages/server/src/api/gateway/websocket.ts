// tmc/grpc-websocket-proxy as etcd wraps its gateway: a websocket upgrade on any /v3/ path; each
// client message (text or binary) is one JSON request, each response line one text frame.
// `Sec-WebSocket-Protocol: Bearer, <tok>` becomes `Authorization: Bearer <tok>` (which etcd does
// not strip, so it does not authenticate), as does a cookie named `token`.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GatewayJsonError } from '@tsetcd/api';
import type { UpgradeHandler } from '../http/types';
import { canonicalGatewayPath } from './routes';
import { goJsonSyntaxError } from './json-stream';
import { PushQueue } from './request-queue';
import type { Gateway } from './gateway';

/** The response scanner's token limit in the proxy (2 GiB - 1): the largest frame we accept. */
export const WS_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024 * 1024 - 1;

function authorizationOf(req: IncomingMessage): string | undefined {
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (protocols[0] === 'Bearer' && protocols[1] !== undefined && protocols[1] !== '') return `Bearer ${protocols[1]}`;
  const cookie = /(?:^|;\s*)token=([^;]*)/.exec(req.headers.cookie ?? '');
  if (cookie?.[1] !== undefined && cookie[1] !== '') return `Bearer ${cookie[1]}`;
  const header = req.headers.authorization;
  return header !== undefined && header !== '' ? header : undefined;
}

export function attachGatewayWebsocket(gateway: Gateway): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD_BYTES,
    handleProtocols: (protocols) => (protocols.has('Bearer') ? 'Bearer' : false),
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = canonicalGatewayPath((req.url ?? '/').split('?')[0] ?? '/');
    const route = gateway.resolve(path);
    if (route === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 10\r\nconnection: close\r\n\r\nNot Found\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const controller = new AbortController();
      const authorization = authorizationOf(req);
      const ctx = authorization !== undefined ? { signal: controller.signal, authToken: authorization } : { signal: controller.signal };
      const requests = new PushQueue<unknown>();
      ws.on('message', (data: RawData) => {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        try {
          requests.push(JSON.parse(text));
        } catch {
          requests.end(new GatewayJsonError(goJsonSyntaxError(text)));
        }
      });
      ws.on('close', () => {
        controller.abort();
        requests.end();
      });
      ws.on('error', () => controller.abort());
      // Resolves once the frame is handed to the socket: a slow reader holds the stream back.
      const write = (line: string): Promise<void> | void => {
        if (ws.readyState !== ws.OPEN) return;
        return new Promise<void>((resolve) => ws.send(line, () => resolve()));
      };
      if (route.streaming) {
        void gateway.stream(route, requests, ctx, write).then(() => ws.close());
        return;
      }
      void (async () => {
        for await (const json of requests) {
          const out = await gateway.unary(route, JSON.stringify(json), ctx);
          await write(out.body);
          break;
        }
        ws.close();
      })().catch(() => ws.close());
    });
  };
}
