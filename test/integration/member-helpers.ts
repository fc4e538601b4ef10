// In-process members for integration tests: a temp data dir, a silent logger, request builders.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import {
  CompactionRequest,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  TxnRequest,
  type Compare,
} from '@tsetcd/api';
import { defaultConfig, type ServerConfig } from '../../packages/server/src/config';
import { startEtcdServerInternal } from '../../packages/server/src/etcdserver';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import type { RequestContext } from '../../packages/server/src/etcdserver/server-api';
import { startServer, type RunningServer } from '../../packages/server/src/main';
import { waitFor } from '../support/wait';
import { BCRYPT_MIN_COST } from '../../packages/server/src/pkg/bcrypt';

export const silentLogger = pino({ level: process.env.TSETCD_TEST_LOG ?? 'silent' });

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tsetcd-it-${prefix}-`));
}

/** bcrypt's lowest cost, as etcd's own integration tests use: auth tests hash fast, in the same format. */
const TEST_BCRYPT_COST = BCRYPT_MIN_COST;

export function memberConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return defaultConfig({ dataDir, bcryptCost: TEST_BCRYPT_COST, ...overrides });
}

export async function startMember(dataDir: string, overrides: Partial<ServerConfig> = {}): Promise<EtcdServer> {
  const server = await startEtcdServerInternal(memberConfig(dataDir, overrides), silentLogger);
  await waitReady(server);
  return server;
}

/**
 * A whole single-member process in-process (member + client port on 127.0.0.1:0), ready to serve.
 * Its data lives under `dir`.
 */
export async function startServing(dir: string): Promise<RunningServer> {
  const server = await startServer(
    memberConfig(path.join(dir, 'n1.tsetcd'), {
      name: 'n1',
      listenClientUrls: ['http://127.0.0.1:0'],
      advertiseClientUrls: ['http://127.0.0.1:2379'],
      initialAdvertisePeerUrls: ['http://127.0.0.1:2380'],
      initialCluster: 'n1=http://127.0.0.1:2380',
    }),
    { logger: silentLogger },
  );
  await waitFor(() => server.member.isReady());
  return server;
}

export async function waitReady(server: EtcdServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.isReady()) {
    if (Date.now() > deadline) throw new Error('member not ready');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function ctx(signal: AbortSignal = new AbortController().signal): RequestContext {
  return { signal };
}

export const b = (s: string): Buffer => Buffer.from(s);

export const putReq = (key: string, value: string, extra: Partial<PutRequest> = {}): PutRequest =>
  PutRequest.fromPartial({ key: b(key), value: b(value), ...extra });

export const rangeReq = (key: string, extra: Partial<RangeRequest> = {}): RangeRequest =>
  RangeRequest.fromPartial({ key: b(key), ...extra });

export const prefixEnd = (prefix: string): Buffer => {
  const buf = Buffer.from(prefix);
  buf[buf.length - 1]! += 1;
  return buf;
};

export const deleteReq = (key: string, extra: Partial<DeleteRangeRequest> = {}): DeleteRangeRequest =>
  DeleteRangeRequest.fromPartial({ key: b(key), ...extra });

export const compactReq = (revision: bigint, physical = false): CompactionRequest => CompactionRequest.fromPartial({ revision, physical });

export const txnReq = (compare: Compare[], success: RequestOp[], failure: RequestOp[] = []): TxnRequest =>
  TxnRequest.fromPartial({ compare, success, failure });

export const opPut = (key: string, value: string): RequestOp => RequestOp.fromPartial({ requestPut: putReq(key, value) });
export const opRange = (key: string, extra: Partial<RangeRequest> = {}): RequestOp => RequestOp.fromPartial({ requestRange: rangeReq(key, extra) });
