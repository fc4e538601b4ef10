// etcd's v2 stats (/v2/stats/self and /v2/stats/leader): ServerStats counts the append requests a
// member sends and receives (with package and bandwidth rates over the last STATS_QUEUE_CAPACITY
// requests) and remembers the leader it follows; LeaderStats keeps per-follower latency and
// success/fail counts. RaftTrafficStats feeds both from the raft messages the member sends and
// receives. JSON is written by hand so field order and number/time formats are etcd's (Go's
// encoding/json, time.Time RFC 3339 with nanoseconds, time.Duration's String()).

import { MessageType, type Message } from '../raft/types';

/** etcd's v2stats queueCapacity: rates are computed over at most this many recent requests. */
export const STATS_QUEUE_CAPACITY = 200;
/** A rate window whose newest request is older than this reads as idle (rates 0, window cleared). */
export const STATS_RATE_WINDOW_MS = 1_000;
/**
 * A follower's unanswered MsgApp/MsgHeartbeat older than this no longer times a round trip: the
 * next send restarts the clock (a lost message must not be reported as one huge latency).
 * etcd's default election timeout.
 */
export const FOLLOWER_PENDING_MAX_MS = 1_000;

export type RaftStateName = 'StateLeader' | 'StateFollower' | 'StateCandidate' | 'StatePreCandidate';

const defaultNowMs = (): number => performance.timeOrigin + performance.now();

// ---- Go formatting ----------------------------------------------------------------------------

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Go's `time.Time` JSON (RFC3339Nano in the local zone) for an epoch time in (fractional) ms. */
export function goTimeJson(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const subMsNs = Math.min(999_999, Math.round((epochMs - wholeMs) * 1e6));
  const d = new Date(wholeMs);
  const nanos = d.getMilliseconds() * 1_000_000 + subMsNs;
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  const offsetMin = -d.getTimezoneOffset();
  const zone =
    offsetMin === 0
      ? 'Z'
      : `${offsetMin < 0 ? '-' : '+'}${twoDigits(Math.floor(Math.abs(offsetMin) / 60))}:${twoDigits(Math.abs(offsetMin) % 60)}`;
  const year = String(d.getFullYear()).padStart(4, '0');
  return (
    `${year}-${twoDigits(d.getMonth() + 1)}-${twoDigits(d.getDate())}` +
    `T${twoDigits(d.getHours())}:${twoDigits(d.getMinutes())}:${twoDigits(d.getSeconds())}${frac}${zone}`
  );
}

function fracString(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const whole = v / scale;
  const rest = v % scale;
  if (rest === 0n) return String(whole);
  return `${whole}.${String(rest).padStart(prec, '0').replace(/0+$/, '')}`;
}

/** Go's `time.Duration.String()` for a duration in nanoseconds: "0s", "1.5ms", "2.23s", "1h0m3s". */
export function goDurationString(ns: bigint): string {
  if (ns < 0n) return `-${goDurationString(-ns)}`;
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${fracString(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${fracString(ns, 6)}ms`;
  const totalSeconds = ns / 1_000_000_000n;
  const secondsPart = fracString((totalSeconds % 60n) * 1_000_000_000n + (ns % 1_000_000_000n), 9);
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${secondsPart}s`;
  const hours = totalMinutes / 60n;
  const minutesPart = `${totalMinutes % 60n}m`;
  return `${hours > 0n ? `${hours}h` : ''}${minutesPart}${secondsPart}s`;
}

function msToNs(ms: number): bigint {
  return BigInt(Math.max(0, Math.round(ms * 1e6)));
}

/** Go's encoding/json for a float64 (same shortest form and exponent thresholds as JS). */
function goFloat(n: number): string {
  return Number.isFinite(n) ? JSON.stringify(n) : '0';
}

/** An id as etcd prints it (types.ID.String(): lower-case hex, no padding). */
export function idHex(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}

// ---- rate window (etcd's statsQueue) -----------------------------------------------------------

class RateWindow {
  private readonly timesMs = new Float64Array(STATS_QUEUE_CAPACITY);
  private readonly sizes = new Float64Array(STATS_QUEUE_CAPACITY);
  private front = 0;
  private back = -1;
  private size = 0;
  private totalBytes = 0;

  insert(nowMs: number, bytes: number): void {
    this.back = (this.back + 1) % STATS_QUEUE_CAPACITY;
    if (this.size === STATS_QUEUE_CAPACITY) {
      this.totalBytes -= this.sizes[this.back] ?? 0;
      this.front = (this.back + 1) % STATS_QUEUE_CAPACITY;
    } else {
      this.size++;
    }
    this.timesMs[this.back] = nowMs;
    this.sizes[this.back] = bytes;
    this.totalBytes += bytes;
  }

  /** [packages per second, bytes per second]; zeros when idle (and the window is cleared). */
  rate(nowMs: number): [number, number] {
    if (this.size === 0) return [0, 0];
    const backMs = this.timesMs[this.back] ?? 0;
    const frontMs = this.timesMs[this.front] ?? 0;
    if (nowMs - backMs > STATS_RATE_WINDOW_MS) {
      this.clear();
      return [0, 0];
    }
    const spanMs = backMs - frontMs;
    // etcd divides by a zero span here (and then fails to encode +Inf, answering an empty body);
    // a single sample has no rate yet.
    if (spanMs <= 0) return [0, 0];
    return [(this.size / spanMs) * 1000, (this.totalBytes / spanMs) * 1000];
  }

  private clear(): void {
    this.front = 0;
    this.back = -1;
    this.size = 0;
    this.totalBytes = 0;
  }
}

// ---- ServerStats ----------------------------------------------------------------------------------

/** etcd's v2stats.ServerStats: /v2/stats/self. */
export class ServerStats {
  private readonly idText: string;
  private readonly startTimeMs: number;
  /** etcd's stats state: Follower until an append arrives or this member leads; then sticky. */
  private state: 'StateLeader' | 'StateFollower' = 'StateFollower';
  private leaderName = '';
  private leaderStartTimeMs: number;
  private recvAppendRequestCnt = 0;
  private sendAppendRequestCnt = 0;
  private readonly recvRate = new RateWindow();
  private readonly sendRate = new RateWindow();

  constructor(
    private readonly name: string,
    id: bigint,
    private readonly nowMs: () => number = defaultNowMs,
  ) {
    this.idText = idHex(id);
    this.startTimeMs = nowMs();
    this.leaderStartTimeMs = this.startTimeMs;
  }

  /** A MsgApp of `bytes` arrived from `leaderId`. */
  recvAppendReq(leaderId: bigint, bytes: number): void {
    const now = this.nowMs();
    this.follow(leaderId, now);
    this.recvRate.insert(now, bytes);
    this.recvAppendRequestCnt++;
  }

  /** This member sent a MsgApp of `bytes` (only a leader does). */
  sendAppendReq(bytes: number): void {
    const now = this.nowMs();
    this.becomeLeaderAt(now);
    this.sendRate.insert(now, bytes);
    this.sendAppendRequestCnt++;
  }

  becomeLeader(): void {
    this.becomeLeaderAt(this.nowMs());
  }

  /**
   * The /v2/stats/self body. `state` and `leaderId` are raft's current view: a member that leads
   * or follows a known leader is recorded as such (as etcd records it on its next append);
   * candidates keep the last recorded state, as etcd's stats do.
   */
  toJson(state: RaftStateName, leaderId: bigint): string {
    const now = this.nowMs();
    if (state === 'StateLeader') this.becomeLeaderAt(now);
    else if (state === 'StateFollower' && leaderId !== 0n) this.follow(leaderId, now);
    const [recvPkgRate, recvBandwidthRate] = this.recvRate.rate(now);
    const [sendPkgRate, sendBandwidthRate] = this.sendRate.rate(now);
    let out =
      `{"name":${JSON.stringify(this.name)},"id":${JSON.stringify(this.idText)},"state":"${this.state}"` +
      `,"startTime":"${goTimeJson(this.startTimeMs)}"` +
      `,"leaderInfo":{"leader":${JSON.stringify(this.leaderName)},"uptime":"${goDurationString(msToNs(now - this.leaderStartTimeMs))}"` +
      `,"startTime":"${goTimeJson(this.leaderStartTimeMs)}"}` +
      `,"recvAppendRequestCnt":${this.recvAppendRequestCnt}`;
    if (recvPkgRate !== 0) out += `,"recvPkgRate":${goFloat(recvPkgRate)}`;
    if (recvBandwidthRate !== 0) out += `,"recvBandwidthRate":${goFloat(recvBandwidthRate)}`;
    out += `,"sendAppendRequestCnt":${this.sendAppendRequestCnt}`;
    if (sendPkgRate !== 0) out += `,"sendPkgRate":${goFloat(sendPkgRate)}`;
    if (sendBandwidthRate !== 0) out += `,"sendBandwidthRate":${goFloat(sendBandwidthRate)}`;
    return `${out}}`;
  }

  private follow(leaderId: bigint, now: number): void {
    this.state = 'StateFollower';
    const leader = idHex(leaderId);
    if (leader !== this.leaderName) {
      this.leaderName = leader;
      this.leaderStartTimeMs = now;
    }
  }

  private becomeLeaderAt(now: number): void {
    if (this.state !== 'StateLeader') {
      this.state = 'StateLeader';
      this.leaderName = this.idText;
      this.leaderStartTimeMs = now;
    }
  }
}

// ---- LeaderStats ----------------------------------------------------------------------------------

/** Go's `1 << 63` as a float64: a follower's minimum latency before its first success. */
const LATENCY_MINIMUM_INITIAL = 2 ** 63;

class FollowerStats {
  current = 0;
  average = 0;
  averageSquare = 0;
  standardDeviation = 0;
  minimum = LATENCY_MINIMUM_INITIAL;
  maximum = 0;
  fail = 0;
  success = 0;

  succeeded(latencyMs: number): void {
    const total = this.success * this.average;
    const totalSquare = this.success * this.averageSquare;
    this.success++;
    this.current = latencyMs;
    if (latencyMs > this.maximum) this.maximum = latencyMs;
    if (latencyMs < this.minimum) this.minimum = latencyMs;
    this.average = (total + latencyMs) / this.success;
    this.averageSquare = (totalSquare + latencyMs * latencyMs) / this.success;
    // etcd takes the root of a difference that rounding can make slightly negative (NaN, which
    // Go then cannot encode); clamp it.
    this.standardDeviation = Math.sqrt(Math.max(0, this.averageSquare - this.average * this.average));
  }

  toJson(): string {
    return (
      `{"latency":{"current":${goFloat(this.current)},"average":${goFloat(this.average)}` +
      `,"standardDeviation":${goFloat(this.standardDeviation)},"minimum":${goFloat(this.minimum)}` +
      `,"maximum":${goFloat(this.maximum)}},"counts":{"fail":${this.fail},"success":${this.success}}}`
    );
  }
}

/** etcd's v2stats.LeaderStats: /v2/stats/leader (served only while this member leads). */
export class LeaderStats {
  private leader: string;
  private readonly followers = new Map<bigint, FollowerStats>();

  constructor(leaderId: bigint, _nowMs: () => number = defaultNowMs) {
    this.leader = idHex(leaderId);
  }

  /** Starts over under `leaderId`: followers stay listed, their latencies and counts restart. */
  reset(leaderId: bigint): void {
    this.leader = idHex(leaderId);
    for (const id of [...this.followers.keys()]) this.followers.set(id, new FollowerStats());
  }

  /** Lists a follower with empty stats (etcd lists every peer from the moment it is added). */
  addFollower(id: bigint): void {
    this.follower(id);
  }

  followerSucceeded(id: bigint, latencyMs: number): void {
    this.follower(id).succeeded(latencyMs);
  }

  followerFailed(id: bigint): void {
    this.follower(id).fail++;
  }

  removeFollower(id: bigint): void {
    this.followers.delete(id);
  }

  hasFollower(id: bigint): boolean {
    return this.followers.has(id);
  }

  toJson(): string {
    // Go's encoding/json writes map keys sorted; hex ids may be all digits, so order by hand.
    const entries = [...this.followers].map(([id, fs]) => [idHex(id), fs] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const followers = entries.map(([hex, fs]) => `${JSON.stringify(hex)}:${fs.toJson()}`).join(',');
    return `{"leader":${JSON.stringify(this.leader)},"followers":{${followers}}}`;
  }

  private follower(id: bigint): FollowerStats {
    let fs = this.followers.get(id);
    if (fs === undefined) {
      fs = new FollowerStats();
      this.followers.set(id, fs);
    }
    return fs;
  }
}

// ---- raft traffic -> stats --------------------------------------------------------------------------

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Bytes of a 64-bit id as a varint, assumed full width (ids are random 64-bit numbers). */
const ID_VARINT_BYTES = 10;
/** raftpb's always-present empty snapshot field inside every message. */
const EMPTY_SNAPSHOT_FIELD_BYTES = 10;

/** Close to raftpb.Message.Size() (the figure etcd's stats count), without encoding anything. */
export function approxMessageBytes(m: Message): number {
  let bytes =
    1 + varintBytes(m.type) +
    2 * (1 + ID_VARINT_BYTES) +
    1 + varintBytes(m.term) +
    1 + varintBytes(m.logTerm) +
    1 + varintBytes(m.index) +
    1 + varintBytes(m.commit) +
    EMPTY_SNAPSHOT_FIELD_BYTES +
    2 +
    1 + varintBytes(m.rejectHint);
  for (const e of m.entries) {
    const dataLength = e.data.length;
    const entryBytes = 3 + varintBytes(e.term) + varintBytes(e.index) + varintBytes(e.type) + (dataLength > 0 ? 1 + varintBytes(dataLength) + dataLength : 0);
    bytes += 1 + varintBytes(entryBytes) + entryBytes;
  }
  if (m.context.length > 0) bytes += 1 + varintBytes(m.context.length) + m.context.length;
  return bytes;
}

/** A follower with no unanswered MsgApp/MsgHeartbeat (the map keeps its entry: no churn). */
const NO_PENDING = -1;

/**
 * Feeds ServerStats and LeaderStats from raft traffic. Latency for a follower is the time from
 * sending it a MsgApp or MsgHeartbeat to its next MsgAppResp / MsgHeartbeatResp (a rejecting
 * response counts one fail). One send time per follower is kept: no per-message allocation.
 */
export class RaftTrafficStats {
  private readonly pendingSinceMs = new Map<bigint, number>();

  constructor(
    private readonly server: ServerStats,
    private readonly leader: LeaderStats,
    private readonly nowMs: () => number = defaultNowMs,
  ) {}

  /** Messages this member is about to send. */
  onSend(messages: readonly Message[]): void {
    let now = -1;
    for (const m of messages) {
      const isApp = m.type === MessageType.MsgApp;
      if (!isApp && m.type !== MessageType.MsgHeartbeat) continue;
      if (m.to === 0n) continue;
      if (isApp) this.server.sendAppendReq(approxMessageBytes(m));
      if (now < 0) now = this.nowMs();
      const since = this.pendingSinceMs.get(m.to);
      if (since === undefined) this.leader.addFollower(m.to);
      if (since === undefined || since === NO_PENDING || now - since > FOLLOWER_PENDING_MAX_MS) {
        this.pendingSinceMs.set(m.to, now);
      }
    }
  }

  /** A message this member received from a peer. */
  onReceive(message: Message): void {
    switch (message.type) {
      case MessageType.MsgApp:
        this.server.recvAppendReq(message.from, approxMessageBytes(message));
        return;
      case MessageType.MsgAppResp:
      case MessageType.MsgHeartbeatResp: {
        const since = this.pendingSinceMs.get(message.from);
        // A late answer from a member already dropped from LeaderStats must not list it again.
        if (since === undefined || !this.leader.hasFollower(message.from)) return;
        if (message.reject) {
          this.pendingSinceMs.set(message.from, NO_PENDING);
          this.leader.followerFailed(message.from);
          return;
        }
        if (since === NO_PENDING) return;
        this.pendingSinceMs.set(message.from, NO_PENDING);
        this.leader.followerSucceeded(message.from, Math.max(0, this.nowMs() - since));
        return;
      }
      default:
        return;
    }
  }

  /** Forget a removed member (drops its LeaderStats entry too). */
  removePeer(id: bigint): void {
    this.pendingSinceMs.delete(id);
    this.leader.removeFollower(id);
  }
}
