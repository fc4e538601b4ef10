// Maintenance RPCs: status, alarms, defragment, hash, hashKV, snapshot, moveLeader.
import {
  AlarmRequest,
  AlarmRequest_AlarmAction,
  AlarmType,
  DefragmentRequest,
  HashKVRequest,
  HashRequest,
  MaintenanceDefinition,
  MoveLeaderRequest,
  SnapshotRequest,
  StatusRequest,
  type SnapshotResponse,
} from '@tsetcd/api';
import { deserializerFor, pathOf, serializerFor, type CallOptions, type Caller } from './caller';
import { CallAbortedError, toEtcdError } from './errors';
import { headerFromWire, type ResponseHeader } from './key-value';

export interface StatusResult {
  header: ResponseHeader;
  version: string;
  dbSize: bigint;
  dbSizeInUse: bigint;
  leader: bigint;
  raftIndex: bigint;
  raftTerm: bigint;
  raftAppliedIndex: bigint;
  errors: string[];
  isLearner: boolean;
}

export type AlarmName = 'none' | 'nospace' | 'corrupt';

export interface Alarm {
  memberId: bigint;
  alarm: AlarmName;
}

const ALARM_NAMES: Record<number, AlarmName> = { [AlarmType.NONE]: 'none', [AlarmType.NOSPACE]: 'nospace', [AlarmType.CORRUPT]: 'corrupt' };
const ALARM_TYPES: Record<AlarmName, AlarmType> = { none: AlarmType.NONE, nospace: AlarmType.NOSPACE, corrupt: AlarmType.CORRUPT };

/** A snapshot timeout: snapshots stream the whole database and take their own budget. */
export const SNAPSHOT_TIMEOUT_MS = 10 * 60_000;

export class MaintenanceApi {
  constructor(private readonly caller: Caller) {}

  async status(options: CallOptions = {}): Promise<StatusResult> {
    const res = await this.caller.unary(MaintenanceDefinition, MaintenanceDefinition.methods.status, StatusRequest.fromPartial({}), 'read', options);
    return {
      header: headerFromWire(res.header),
      version: res.version,
      dbSize: res.dbSize,
      dbSizeInUse: res.dbSizeInUse,
      leader: res.leader,
      raftIndex: res.raftIndex,
      raftTerm: res.raftTerm,
      raftAppliedIndex: res.raftAppliedIndex,
      errors: [...res.errors],
      isLearner: res.isLearner,
    };
  }

  async #alarm(action: AlarmRequest_AlarmAction, alarm: Alarm | undefined, options: CallOptions): Promise<Alarm[]> {
    const res = await this.caller.unary(
      MaintenanceDefinition,
      MaintenanceDefinition.methods.alarm,
      AlarmRequest.fromPartial({ action, memberID: alarm?.memberId ?? 0n, alarm: alarm ? ALARM_TYPES[alarm.alarm] : AlarmType.NONE }),
      action === AlarmRequest_AlarmAction.GET ? 'read' : 'write',
      options,
    );
    return res.alarms.map((a) => ({ memberId: a.memberID, alarm: ALARM_NAMES[a.alarm] ?? 'none' }));
  }

  /** Active alarms. */
  alarms(options: CallOptions = {}): Promise<Alarm[]> {
    return this.#alarm(AlarmRequest_AlarmAction.GET, undefined, options);
  }

  /** Disarm one alarm, or (no argument) every active alarm like `etcdctl alarm disarm`. */
  async alarmDisarm(alarm?: Alarm, options: CallOptions = {}): Promise<Alarm[]> {
    if (alarm !== undefined) return this.#alarm(AlarmRequest_AlarmAction.DEACTIVATE, alarm, options);
    const disarmed: Alarm[] = [];
    for (const active of await this.alarms(options)) {
      disarmed.push(...(await this.#alarm(AlarmRequest_AlarmAction.DEACTIVATE, active, options)));
    }
    return disarmed;
  }

  async defragment(options: CallOptions = {}): Promise<{ header: ResponseHeader }> {
    const res = await this.caller.unary(MaintenanceDefinition, MaintenanceDefinition.methods.defragment, DefragmentRequest.fromPartial({}), 'read', options);
    return { header: headerFromWire(res.header) };
  }

  async hash(options: CallOptions = {}): Promise<{ header: ResponseHeader; hash: number }> {
    const res = await this.caller.unary(MaintenanceDefinition, MaintenanceDefinition.methods.hash, HashRequest.fromPartial({}), 'read', options);
    return { header: headerFromWire(res.header), hash: res.hash };
  }

  async hashKV(revision = 0n, options: CallOptions = {}): Promise<{ header: ResponseHeader; hash: number; compactRevision: bigint }> {
    const res = await this.caller.unary(MaintenanceDefinition, MaintenanceDefinition.methods.hashKV, HashKVRequest.fromPartial({ revision }), 'read', options);
    return { header: headerFromWire(res.header), hash: res.hash, compactRevision: res.compactRevision };
  }

  async moveLeader(targetId: bigint, options: CallOptions = {}): Promise<{ header: ResponseHeader }> {
    const res = await this.caller.unary(MaintenanceDefinition, MaintenanceDefinition.methods.moveLeader, MoveLeaderRequest.fromPartial({ targetID: targetId }), 'write', options);
    return { header: headerFromWire(res.header) };
  }

  /** The backend database as a stream of chunks (what `etcdctl snapshot save` writes to a file). */
  async *snapshot(options: CallOptions = {}): AsyncGenerator<Buffer> {
    const deadlineMs = Date.now() + (options.timeoutMs ?? SNAPSHOT_TIMEOUT_MS);
    const connection =
      options.endpoint === undefined
        ? await this.caller.transport.connect(deadlineMs, options.signal)
        : await this.caller.transport.connectTo(options.endpoint, deadlineMs, options.signal);
    const metadata = await this.caller.metadata();
    const method = MaintenanceDefinition.methods.snapshot;
    const stream = connection.client.makeServerStreamRequest<SnapshotRequest, SnapshotResponse>(
      pathOf(MaintenanceDefinition, method),
      serializerFor(method.requestType),
      deserializerFor(method.responseType),
      SnapshotRequest.fromPartial({}),
      metadata,
      { deadline: deadlineMs },
    );
    const onAbort = (): void => stream.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<SnapshotResponse>) {
        if (chunk.blob.length > 0) yield chunk.blob;
      }
    } catch (err) {
      if (options.signal?.aborted) throw new CallAbortedError('signal');
      if (typeof (err as { code?: unknown }).code === 'number') throw toEtcdError(err as { code: number; details?: string });
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stream.cancel();
    }
  }
}
