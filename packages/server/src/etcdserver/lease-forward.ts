// A follower's side of lease calls that only the primary lessor can answer (etcd's LeaseRenew and
// LeaseTimeToLive forwarding over the peer URLs): until the request's deadline, answer locally
// once this member leads, else POST to the peers' /leases routes and take the primary's answer;
// a leader change mid-call is retried (etcd sleeps 50ms between rounds).

import {
  ErrRequestCancelled,
  ErrStopped,
  ErrTimeout,
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
} from '@tsetcd/api';
import {
  LEASE_CONTENT_TYPE,
  LEASE_INTERNAL_PATH,
  LEASE_PATH,
  unwrapField1,
  wrapField1,
} from '../peer/lease-forward-routes';
import type { PeerFetch } from '../peer/peer-fetch';

/** etcd's default request timeout (5s + 2 × the default 1s election timeout). */
export const LEASE_FORWARD_TIMEOUT_MS = 7_000;
/** etcd's pause between forwarding rounds. */
export const LEASE_FORWARD_RETRY_MS = 50;

export interface LeaseForwardDeps {
  /** The other members' peer URLs; undefined without a peer transport (a lone in-process member). */
  readonly peerUrls: () => ReadonlyArray<readonly string[]> | undefined;
  /** This member is the ready primary lessor (answer locally). */
  readonly isLocalPrimary: () => boolean;
  /** HTTP to the peers (peer TLS for https peer URLs). */
  readonly peerFetch: PeerFetch;
  readonly stopSignal: AbortSignal;
  readonly timeoutMs?: number;
}

/** What a peer answered. */
type PeerAnswer<T> = { kind: 'ok'; value: T } | { kind: 'not-found' } | { kind: 'no' };

class NoPrimaryAnswer extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function post(peerFetch: PeerFetch, url: string, body: Uint8Array, signal: AbortSignal): Promise<PeerAnswer<Uint8Array>> {
  try {
    const res = await peerFetch(url, { method: 'POST', body, headers: { 'Content-Type': LEASE_CONTENT_TYPE }, signal });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) return { kind: 'ok', value: bytes };
    if (res.status === 404) return { kind: 'not-found' };
    return { kind: 'no' };
  } catch {
    return { kind: 'no' };
  }
}

/**
 * Runs one forwarded call: `local` when this member is the primary, else `path` on every peer at
 * once, the first primary's answer winning. Retries until the deadline (the request's signal,
 * `timeoutMs`, or the member stopping).
 */
async function viaPrimary<T>(
  deps: LeaseForwardDeps,
  signal: AbortSignal,
  local: () => Promise<T>,
  path: string,
  body: Uint8Array,
  decode: (answer: PeerAnswer<Uint8Array>) => T,
): Promise<T> {
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? LEASE_FORWARD_TIMEOUT_MS);
  const deadline = AbortSignal.any([signal, timeout, deps.stopSignal]);
  while (!deadline.aborted) {
    if (deps.isLocalPrimary()) return local();
    const peers = deps.peerUrls();
    // No peer transport (a lone in-process member): nobody to forward to, the local path decides.
    if (peers === undefined) return local();
    const urls = peers.map((u) => u[0]).filter((u): u is string => u !== undefined);
    const round = new AbortController();
    const roundSignal = AbortSignal.any([deadline, round.signal]);
    try {
      const winner = await Promise.any(
        urls.map(async (u) => {
          const a = await post(deps.peerFetch, new URL(path, u).toString(), body, roundSignal);
          if (a.kind === 'no') throw new NoPrimaryAnswer();
          return { answer: a };
        }),
      );
      round.abort();
      return decode(winner.answer);
    } catch (err) {
      if (!(err instanceof AggregateError)) throw err;
    }
    await sleep(LEASE_FORWARD_RETRY_MS, deadline);
  }
  if (deps.stopSignal.aborted) throw new ErrStopped();
  if (timeout.aborted) throw new ErrTimeout();
  throw new ErrRequestCancelled();
}

/** LeaseRenew through the primary: the TTL, or undefined when the primary does not know the lease. */
export function renewViaPrimary(
  deps: LeaseForwardDeps,
  id: bigint,
  signal: AbortSignal,
  local: () => Promise<bigint | undefined>,
): Promise<bigint | undefined> {
  const body = LeaseKeepAliveRequest.encode({ ID: id }).finish();
  return viaPrimary(deps, signal, local, LEASE_PATH, body, (a) => {
    if (a.kind !== 'ok') return undefined;
    const resp = LeaseKeepAliveResponse.decode(a.value);
    if (resp.ID !== id) throw new Error('lease: renew id mismatch');
    return resp.TTL;
  });
}

/** LeaseTimeToLive through the primary: its answer, or undefined for an unknown lease. */
export function timeToLiveViaPrimary(
  deps: LeaseForwardDeps,
  req: LeaseTimeToLiveRequest,
  signal: AbortSignal,
  local: () => Promise<LeaseTimeToLiveResponse | undefined>,
): Promise<LeaseTimeToLiveResponse | undefined> {
  const body = wrapField1(LeaseTimeToLiveRequest.encode(req).finish());
  return viaPrimary(deps, signal, local, LEASE_INTERNAL_PATH, body, (a) =>
    a.kind === 'ok' ? LeaseTimeToLiveResponse.decode(unwrapField1(a.value)) : undefined,
  );
}
