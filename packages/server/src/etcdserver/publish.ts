// etcd 3.4's publish: once a member serves, it proposes its name and client URLs through raft
// as a v2 PUT of /0/members/<hex id>/attributes; every member applies it to its membership.

import { type InternalRaftRequest, type Request as V2Request } from '@tsetcd/api';
import type { Logger } from 'pino';
import type { BatchTx } from '../backend/backend';
import { formatId } from './member-id';
import type { Membership } from './membership';

const ATTRIBUTES_PATH = /^\/0\/members\/([0-9a-f]{1,16})\/attributes$/;
/** Pause between publish attempts (etcd retries until it succeeds or stops). */
export const PUBLISH_RETRY_MS = 500;

export function publishRequest(id: bigint, name: string, clientUrls: readonly string[]): Partial<InternalRaftRequest> {
  const v2: Partial<V2Request> = {
    Method: 'PUT',
    Path: `/0/members/${formatId(id)}/attributes`,
    Val: JSON.stringify({ name, clientURLs: clientUrls }),
  };
  return { v2: v2 as V2Request };
}

/** Applies a publish; other v2 requests are not supported (undefined). */
export function applyMemberAttributes(tx: BatchTx, membership: Membership, v2: V2Request): boolean {
  const match = ATTRIBUTES_PATH.exec(v2.Path);
  if (v2.Method !== 'PUT' || match === null || match[1] === undefined) return false;
  const id = BigInt(`0x${match[1]}`);
  const current = membership.member(id);
  if (current === undefined) return true; // removed meanwhile: nothing to update
  const attrs = JSON.parse(v2.Val) as { name?: string; clientURLs?: string[] };
  membership.put(tx, { ...current, name: attrs.name ?? '', clientUrls: attrs.clientURLs ?? [] });
  return true;
}

export interface PublishDeps {
  readonly id: bigint;
  readonly name: string;
  readonly clientUrls: readonly string[];
  readonly membership: Membership;
  readonly propose: (req: Partial<InternalRaftRequest>, signal: AbortSignal) => Promise<unknown>;
  /** Resolves once the member has a leader and has applied its own term's no-op (rejects on stop). */
  readonly waitReady: (signal: AbortSignal) => Promise<void>;
  readonly stopSignal: AbortSignal;
  readonly logger: Logger;
}

/**
 * Proposes the attributes until they are applied, once per start like etcd (the local record may
 * hold attributes the others never saw, and the v2 store's /0/members/<id>/attributes write takes
 * an index as in etcd). Resolves true once published, false if the member stopped first.
 */
export async function publishLoop(deps: PublishDeps): Promise<boolean> {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
  while (!deps.stopSignal.aborted) {
    try {
      await deps.waitReady(deps.stopSignal);
      if (deps.membership.member(deps.id) === undefined) {
        await sleep(PUBLISH_RETRY_MS);
        continue;
      }
      await deps.propose(publishRequest(deps.id, deps.name, deps.clientUrls), deps.stopSignal);
      deps.logger.info({ name: deps.name, clientUrls: deps.clientUrls }, 'published local member to cluster through raft');
      return true;
    } catch (err) {
      if (deps.stopSignal.aborted) return false;
      deps.logger.warn({ err: String(err) }, 'publish failed; retrying');
      await sleep(PUBLISH_RETRY_MS);
    }
  }
  return false;
}
