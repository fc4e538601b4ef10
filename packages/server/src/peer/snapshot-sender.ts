// MsgSnap over HTTP POST (rafthttp's snapshotSender): body = u32 BE length + raftpb.Message +
// the backend image + a 32-byte SHA-256 of the image, so the receiver verifies before installing.

import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import type { Message } from '../raft/types';
import { formatId } from '../etcdserver/member-id';
import { encodeMessage } from './raft-codec';
import { HEADER_CLUSTER_ID, HEADER_FROM, HEADER_TO, RAFT_SNAPSHOT_PATH } from './transport';

export const SNAPSHOT_CHECKSUM_BYTES = 32;

export async function postSnapshot(
  peerUrl: string,
  ids: { selfId: bigint; clusterId: bigint },
  m: Message,
  image: AsyncIterable<Uint8Array>,
  tls?: ConnectionOptions,
): Promise<void> {
  const url = new URL(RAFT_SNAPSHOT_PATH, peerUrl);
  const secure = url.protocol === 'https:';
  await new Promise<void>((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        ...(secure ? tls : undefined),
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          [HEADER_CLUSTER_ID]: formatId(ids.clusterId),
          [HEADER_FROM]: formatId(ids.selfId),
          [HEADER_TO]: formatId(m.to),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          if (res.statusCode === 204 || res.statusCode === 200) resolve();
          else reject(new Error(`snapshot to ${formatId(m.to)} refused (${res.statusCode}): ${body.trim()}`));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      try {
        const msg = encodeMessage(m);
        const head = Buffer.allocUnsafe(4);
        head.writeUInt32BE(msg.length, 0);
        req.write(head);
        req.write(msg);
        const hash = createHash('sha256');
        for await (const chunk of image) {
          hash.update(chunk);
          if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', () => r()));
        }
        req.end(hash.digest());
      } catch (err) {
        req.destroy(err as Error);
        reject(err as Error);
      }
    })();
  });
}

/**
 * Splits a received snapshot body: the message, then an image stream that holds back the
 * trailing checksum; `verify()` (after the stream is consumed) throws unless the checksum matches.
 */
export async function readSnapshotBody(body: AsyncIterable<Buffer>): Promise<{ message: Uint8Array; image: AsyncIterable<Uint8Array>; verify: () => void }> {
  const it = body[Symbol.asyncIterator]();
  let pending = Buffer.alloc(0);
  while (pending.length < 4) {
    const r = await it.next();
    if (r.done === true) throw new Error('snapshot body: truncated');
    pending = Buffer.concat([pending, r.value]);
  }
  const len = pending.readUInt32BE(0);
  while (pending.length < 4 + len) {
    const r = await it.next();
    if (r.done === true) throw new Error('snapshot body: truncated message');
    pending = Buffer.concat([pending, r.value]);
  }
  const message = pending.subarray(4, 4 + len);
  let rest: Buffer = pending.subarray(4 + len);
  const hash = createHash('sha256');
  let verified: boolean | undefined;
  const check = (): void => {
    if (verified !== true) throw new Error('snapshot body: image checksum mismatch');
  };
  async function* image(): AsyncIterable<Uint8Array> {
    for (;;) {
      if (rest.length > SNAPSHOT_CHECKSUM_BYTES) {
        const emit = rest.subarray(0, rest.length - SNAPSHOT_CHECKSUM_BYTES);
        rest = rest.subarray(rest.length - SNAPSHOT_CHECKSUM_BYTES);
        hash.update(emit);
        yield emit;
      }
      const r = await it.next();
      if (r.done === true) break;
      rest = Buffer.concat([rest, r.value]);
    }
    verified = rest.length === SNAPSHOT_CHECKSUM_BYTES && hash.digest().equals(rest);
    check(); // fail the consumer before it installs a corrupt image
  }
  return {
    message,
    image: image(),
    verify: check,
  };
}
