// GET /metrics: prom-client text with a first set of etcd's metric names. Member gauges are read
// from status() at scrape time; gRPC counters come from the router's per-method counts.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { grpcStatusName } from '@tsetcd/api';
import { CLUSTER_VERSION, SERVER_VERSION } from '../../config/limits';
import type { EtcdServerApi } from '../../etcdserver/server-api';
import type { GrpcServer } from '../grpc/server';
import { grpcTypeOf } from '../grpc/types';
import type { HealthCounters } from './health';
import type { HttpHandler, HttpResponse } from './types';

const STATUS_TIMEOUT_MS = 1000;

export interface ServerMetrics extends HealthCounters {
  readonly registry: Registry;
  readonly handler: HttpHandler;
}

/** Counters a member may expose (EtcdServer.stats()); read at scrape time when present. */
export interface MemberStatsSource {
  stats?(): { readonly appliedIndex: number; readonly committedIndex: number };
}

export function createServerMetrics(member: Pick<EtcdServerApi, 'status' | 'identity'> & MemberStatsSource, grpc: GrpcServer): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const serverVersion = new Gauge({ name: 'etcd_server_version', help: "Which version is running. 1 for 'server_version' label with current version.", labelNames: ['server_version'], registers: [registry] });
  serverVersion.set({ server_version: SERVER_VERSION }, 1);
  const clusterVersion = new Gauge({ name: 'etcd_cluster_version', help: "Which version is running. 1 for 'cluster_version' label with current cluster version", labelNames: ['cluster_version'], registers: [registry] });
  clusterVersion.set({ cluster_version: CLUSTER_VERSION.split('.').slice(0, 2).join('.') }, 1);
  const serverId = new Gauge({ name: 'etcd_server_id', help: "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.", labelNames: ['server_id'], registers: [registry] });
  serverId.set({ server_id: member.identity.memberId.toString(16) }, 1);

  const hasLeader = new Gauge({ name: 'etcd_server_has_leader', help: 'Whether or not a leader exists. 1 is existence, 0 is not.', registers: [registry] });
  const isLeader = new Gauge({ name: 'etcd_server_is_leader', help: 'Whether or not this member is a leader. 1 if is, 0 otherwise.', registers: [registry] });
  const dbSize = new Gauge({ name: 'etcd_mvcc_db_total_size_in_bytes', help: 'Total size of the underlying database physically allocated in bytes.', registers: [registry] });
  const dbSizeInUse = new Gauge({ name: 'etcd_mvcc_db_total_size_in_use_in_bytes', help: 'Total size of the underlying database logically in use in bytes.', registers: [registry] });
  const currentRevision = new Gauge({ name: 'etcd_debugging_mvcc_current_revision', help: 'The current revision of store.', registers: [registry] });
  const proposalsCommitted = new Gauge({ name: 'etcd_server_proposals_committed_total', help: 'The total number of consensus proposals committed.', registers: [registry] });
  const proposalsApplied = new Gauge({ name: 'etcd_server_proposals_applied_total', help: 'The total number of consensus proposals applied.', registers: [registry] });
  const healthSuccess = new Counter({ name: 'etcd_server_health_success', help: 'The total number of successful health checks', registers: [registry] });
  const healthFailures = new Counter({ name: 'etcd_server_health_failures', help: 'The total number of failed health checks', registers: [registry] });

  const started = new Counter({ name: 'grpc_server_started_total', help: 'Total number of RPCs started on the server.', labelNames: ['grpc_type', 'grpc_service', 'grpc_method'], registers: [registry] });
  const handled = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.', labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'], registers: [registry] });

  const refreshGrpc = (): void => {
    started.reset();
    handled.reset();
    for (const route of grpc.allRoutes()) {
      const labels = { grpc_type: grpcTypeOf(route.method), grpc_service: route.serviceName, grpc_method: route.method.name };
      started.inc(labels, route.stats.started);
      route.stats.handled.forEach((count, code) => {
        if (count > 0) handled.inc({ ...labels, grpc_code: grpcStatusName(code) }, count);
      });
    }
  };

  const refreshMember = async (): Promise<void> => {
    if (typeof member.stats === 'function') {
      const stats = member.stats();
      proposalsCommitted.set(stats.committedIndex);
      proposalsApplied.set(stats.appliedIndex);
    }
    try {
      const status = await member.status({ signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
      hasLeader.set(status.leader !== 0n ? 1 : 0);
      isLeader.set(status.leader !== 0n && status.leader === member.identity.memberId ? 1 : 0);
      dbSize.set(Number(status.dbSize));
      dbSizeInUse.set(Number(status.dbSizeInUse));
      currentRevision.set(Number(status.header?.revision ?? 0n));
    } catch {
      hasLeader.set(0);
      isLeader.set(0);
    }
  };

  const handler: HttpHandler = async (req): Promise<HttpResponse> => {
    if (req.method !== 'GET') return { status: 405, headers: { allow: 'GET' }, body: 'Method Not Allowed\n' };
    refreshGrpc();
    await refreshMember();
    return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
  };

  return {
    registry,
    handler,
    onResult(healthy: boolean): void {
      if (healthy) healthSuccess.inc();
      else healthFailures.inc();
    },
  };
}
