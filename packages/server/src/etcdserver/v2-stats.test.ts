import { EntryType, MessageType, type Message } from '../raft/types';
import {
  approxMessageBytes,
  FOLLOWER_PENDING_MAX_MS,
  goDurationString,
  goTimeJson,
  LeaderStats,
  RaftTrafficStats,
  ServerStats,
  STATS_QUEUE_CAPACITY,
} from './v2-stats';

const ORIGINAL_TZ = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (ORIGINAL_TZ === undefined) delete process.env.TZ;
  else process.env.TZ = ORIGINAL_TZ;
});

const T0 = Date.UTC(2026, 10, 21, 22, 33, 41, 999);

function clock(startMs = T0): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function msg(type: MessageType, from: bigint, to: bigint, extra: Partial<Message> = {}): Message {
  return {
    type,
    from,
    to,
    term: 2,
    logTerm: 2,
    index: 10,
    entries: [],
    commit: 10,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
    ...extra,
  };
}

describe('Go formatting', () => {
  test.each([
    [0n, '0s'],
    [999n, '999ns'],
    [1_500n, '1.5µs'],
    [1_500_000n, '1.5ms'],
    [999_999_999n, '999.999999ms'],
    [1_000_000_000n, '1s'],
    [2_232_329_064n, '2.232329064s'],
    [60_000_000_000n, '1m0s'],
    [90_500_000_000n, '1m30.5s'],
    [3_603_000_000_000n, '1h0m3s'],
    [-1_500_000n, '-1.5ms'],
  ])('duration %p ns is %p', (ns, text) => {
    expect(goDurationString(ns)).toBe(text);
  });

  test('times are RFC 3339 with trimmed nanoseconds, Z in UTC', () => {
    expect(goTimeJson(T0)).toBe('2026-11-21T22:33:41.999Z');
    expect(goTimeJson(T0 + 0.5)).toBe('2026-11-21T22:33:41.9995Z');
    expect(goTimeJson(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02T03:04:05Z');
  });
});

describe('ServerStats', () => {
  test('a fresh member: follower with no leader, etcd field order, no rate fields', () => {
    const c = clock();
    const s = new ServerStats('n1', 0x667880157b8812c8n, c.now);
    c.advance(1500);
    expect(s.toJson('StateCandidate', 0n)).toBe(
      '{"name":"n1","id":"667880157b8812c8","state":"StateFollower","startTime":"2026-11-21T22:33:41.999Z",' +
        '"leaderInfo":{"leader":"","uptime":"1.5s","startTime":"2026-11-21T22:33:41.999Z"},' +
        '"recvAppendRequestCnt":0,"sendAppendRequestCnt":0}',
    );
  });

  test('receiving appends makes it a follower of the sender, with counts and rates', () => {
    const c = clock();
    const s = new ServerStats('n2', 0xbn, c.now);
    c.advance(1000);
    s.recvAppendReq(0xan, 100);
    c.advance(100);
    s.recvAppendReq(0xan, 100);
    c.advance(100);
    s.recvAppendReq(0xan, 100);
    const j = JSON.parse(s.toJson('StateFollower', 0xan)) as Record<string, unknown>;
    expect(j.state).toBe('StateFollower');
    expect(j.leaderInfo).toEqual({ leader: 'a', uptime: '200ms', startTime: '2026-11-21T22:33:42.999Z' });
    expect(j.recvAppendRequestCnt).toBe(3);
    // 3 requests over 200 ms, 300 bytes.
    expect(j.recvPkgRate).toBe(15);
    expect(j.recvBandwidthRate).toBe(1500);
    expect(j.sendPkgRate).toBeUndefined();
    // Fields keep etcd's order: recv rates sit between the recv and send counts.
    expect(Object.keys(j)).toEqual(['name', 'id', 'state', 'startTime', 'leaderInfo', 'recvAppendRequestCnt', 'recvPkgRate', 'recvBandwidthRate', 'sendAppendRequestCnt']);
    // More than a second idle: rates vanish.
    c.advance(1001);
    const idle = JSON.parse(s.toJson('StateFollower', 0xan)) as Record<string, unknown>;
    expect(idle.recvPkgRate).toBeUndefined();
    expect(idle.recvAppendRequestCnt).toBe(3);
  });

  test('the rate window holds the last STATS_QUEUE_CAPACITY requests', () => {
    const c = clock();
    const s = new ServerStats('n1', 1n, c.now);
    for (let i = 0; i < STATS_QUEUE_CAPACITY + 50; i++) {
      s.sendAppendReq(i < 50 ? 1_000_000 : 10);
      c.advance(1);
    }
    c.advance(-1);
    const j = JSON.parse(s.toJson('StateLeader', 1n)) as Record<string, number>;
    // 200 requests spanning 199 ms, the 1 MB ones already dropped out.
    expect(j.sendPkgRate).toBeCloseTo((STATS_QUEUE_CAPACITY / 199) * 1000, 6);
    expect(j.sendBandwidthRate).toBeCloseTo(((STATS_QUEUE_CAPACITY * 10) / 199) * 1000, 6);
    expect(j.sendAppendRequestCnt).toBe(STATS_QUEUE_CAPACITY + 50);
  });

  test('sending appends makes it leader once; leaderInfo restarts only on a change', () => {
    const c = clock();
    const s = new ServerStats('n1', 0x1234n, c.now);
    c.advance(2000);
    s.sendAppendReq(50);
    c.advance(3000);
    s.sendAppendReq(50);
    const j = JSON.parse(s.toJson('StateLeader', 0x1234n)) as { state: string; leaderInfo: { leader: string; uptime: string; startTime: string } };
    expect(j.state).toBe('StateLeader');
    expect(j.leaderInfo).toEqual({ leader: '1234', uptime: '3s', startTime: '2026-11-21T22:33:43.999Z' });
  });

  test("toJson records raft's view: leader, or follower of a known leader; a candidate keeps the last state", () => {
    const c = clock();
    const s = new ServerStats('n1', 1n, c.now);
    expect(JSON.parse(s.toJson('StateLeader', 1n)).state).toBe('StateLeader');
    c.advance(10);
    expect(JSON.parse(s.toJson('StateCandidate', 0n)).state).toBe('StateLeader');
    expect(JSON.parse(s.toJson('StateFollower', 0n)).state).toBe('StateLeader');
    const j = JSON.parse(s.toJson('StateFollower', 2n)) as { state: string; leaderInfo: { leader: string } };
    expect(j.state).toBe('StateFollower');
    expect(j.leaderInfo.leader).toBe('2');
    s.becomeLeader();
    expect(JSON.parse(s.toJson('StatePreCandidate', 0n)).leaderInfo.leader).toBe('1');
  });
});

describe('LeaderStats', () => {
  test('latency statistics and counts, followers sorted as Go sorts map keys', () => {
    const ls = new LeaderStats(0xabn);
    ls.followerSucceeded(0xb1n, 10);
    ls.followerSucceeded(0xb1n, 20);
    ls.followerFailed(0x1234n);
    ls.addFollower(0x99n);
    expect(ls.toJson()).toBe(
      '{"leader":"ab","followers":{' +
        '"1234":{"latency":{"current":0,"average":0,"standardDeviation":0,"minimum":9223372036854776000,"maximum":0},"counts":{"fail":1,"success":0}},' +
        '"99":{"latency":{"current":0,"average":0,"standardDeviation":0,"minimum":9223372036854776000,"maximum":0},"counts":{"fail":0,"success":0}},' +
        '"b1":{"latency":{"current":20,"average":15,"standardDeviation":5,"minimum":10,"maximum":20},"counts":{"fail":0,"success":2}}}}',
    );
  });

  test('equal latencies give a zero deviation (never NaN)', () => {
    const ls = new LeaderStats(1n);
    // Three times 0.1 ms: avg(x^2) - avg(x)^2 rounds to -1.7e-18 (etcd's sqrt gives NaN there).
    for (let i = 0; i < 3; i++) ls.followerSucceeded(2n, 0.1);
    const body = ls.toJson();
    expect(body).toContain('"standardDeviation":0,');
    const j = JSON.parse(body) as { followers: Record<string, { latency: { standardDeviation: number } }> };
    expect(j.followers['2']?.latency.standardDeviation).toBe(0);
  });

  test('removeFollower drops it; reset keeps followers with fresh stats under the new leader', () => {
    const ls = new LeaderStats(1n);
    ls.followerSucceeded(2n, 5);
    ls.followerSucceeded(3n, 5);
    ls.removeFollower(3n);
    ls.reset(7n);
    const j = JSON.parse(ls.toJson()) as { leader: string; followers: Record<string, { counts: { success: number } }> };
    expect(j.leader).toBe('7');
    expect(Object.keys(j.followers)).toEqual(['2']);
    expect(j.followers['2']?.counts.success).toBe(0);
  });
});

describe('RaftTrafficStats', () => {
  function setup(): { c: ReturnType<typeof clock>; server: ServerStats; leader: LeaderStats; traffic: RaftTrafficStats } {
    const c = clock();
    const server = new ServerStats('n1', 1n, c.now);
    const leader = new LeaderStats(1n, c.now);
    return { c, server, leader, traffic: new RaftTrafficStats(server, leader, c.now) };
  }
  type Followers = Record<string, { latency: { current: number; average: number }; counts: { fail: number; success: number } }>;
  const followersOf = (ls: LeaderStats): Followers => (JSON.parse(ls.toJson()) as { followers: Followers }).followers;

  test('latency is the time from MsgApp/MsgHeartbeat to the response; a reject is a fail', () => {
    const { c, server, leader, traffic } = setup();
    traffic.onSend([msg(MessageType.MsgApp, 1n, 2n), msg(MessageType.MsgApp, 1n, 3n), msg(MessageType.MsgVote, 1n, 4n)]);
    c.advance(5);
    traffic.onReceive(msg(MessageType.MsgAppResp, 2n, 1n));
    traffic.onReceive(msg(MessageType.MsgAppResp, 3n, 1n, { reject: true }));
    // A response with nothing outstanding times nothing.
    traffic.onReceive(msg(MessageType.MsgAppResp, 2n, 1n));
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 2n)]);
    c.advance(3);
    traffic.onReceive(msg(MessageType.MsgHeartbeatResp, 2n, 1n));
    const f = followersOf(leader);
    expect(Object.keys(f)).toEqual(['2', '3']);
    expect(f['2']?.counts).toEqual({ fail: 0, success: 2 });
    expect(f['2']?.latency.current).toBe(3);
    expect(f['2']?.latency.average).toBe(4);
    expect(f['3']?.counts).toEqual({ fail: 1, success: 0 });
    const self = JSON.parse(server.toJson('StateLeader', 1n)) as { sendAppendRequestCnt: number; state: string };
    expect(self.sendAppendRequestCnt).toBe(2);
    expect(self.state).toBe('StateLeader');
  });

  test('the oldest unanswered send is timed; a stale one restarts the clock', () => {
    const { c, leader, traffic } = setup();
    traffic.onSend([msg(MessageType.MsgApp, 1n, 2n)]);
    c.advance(4);
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 2n)]);
    c.advance(4);
    traffic.onReceive(msg(MessageType.MsgHeartbeatResp, 2n, 1n));
    expect(followersOf(leader)['2']?.latency.current).toBe(8);
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 2n)]);
    c.advance(FOLLOWER_PENDING_MAX_MS + 1);
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 2n)]);
    c.advance(2);
    traffic.onReceive(msg(MessageType.MsgHeartbeatResp, 2n, 1n));
    expect(followersOf(leader)['2']?.latency.current).toBe(2);
  });

  test('a received MsgApp counts on the follower side; removePeer forgets the follower', () => {
    const { leader, server, traffic } = setup();
    traffic.onReceive(msg(MessageType.MsgApp, 9n, 1n));
    const self = JSON.parse(server.toJson('StateFollower', 9n)) as { recvAppendRequestCnt: number; leaderInfo: { leader: string } };
    expect(self.recvAppendRequestCnt).toBe(1);
    expect(self.leaderInfo.leader).toBe('9');
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 2n)]);
    traffic.removePeer(2n);
    traffic.onReceive(msg(MessageType.MsgHeartbeatResp, 2n, 1n));
    expect(followersOf(leader)).toEqual({});
    // Dropped from LeaderStats directly while a heartbeat was out: its late answer is ignored.
    traffic.onSend([msg(MessageType.MsgHeartbeat, 1n, 3n)]);
    leader.removeFollower(3n);
    traffic.onReceive(msg(MessageType.MsgHeartbeatResp, 3n, 1n));
    traffic.onReceive(msg(MessageType.MsgAppResp, 3n, 1n, { reject: true }));
    expect(followersOf(leader)).toEqual({});
  });

  test('message size grows with entry payloads', () => {
    const empty = approxMessageBytes(msg(MessageType.MsgApp, 1n, 2n));
    const withData = approxMessageBytes(
      msg(MessageType.MsgApp, 1n, 2n, { entries: [{ term: 2, index: 11, type: EntryType.Normal, data: new Uint8Array(1000) }] }),
    );
    expect(empty).toBeGreaterThan(20);
    expect(withData - empty).toBeGreaterThanOrEqual(1000);
    expect(withData - empty).toBeLessThan(1020);
  });
});
