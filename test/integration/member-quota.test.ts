// The backend quota: a write that would pass --quota-backend-bytes is refused and raises the
// NOSPACE alarm through raft; the alarm survives a restart until it is disarmed.

import * as fs from 'node:fs';
import { AlarmRequest_AlarmAction, AlarmType, ErrNoSpace } from '@tsetcd/api';
import { ctx, deleteReq, putReq, rangeReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(30_000);

describe('member: quota and NOSPACE', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('refuses a put past the quota, raises NOSPACE, keeps it across restart, disarms', async () => {
    const dir = tempDir('quota');
    dirs.push(dir);
    const quotaBytes = 1024 * 1024;
    let s = await startMember(dir, { quotaBackendBytes: quotaBytes });
    await s.put(putReq('small', 'v'), ctx());
    const dbSize = Number((await s.status(ctx())).dbSize);
    expect(dbSize).toBeLessThan(quotaBytes);
    const tooBig = 'x'.repeat(quotaBytes - dbSize);
    await expect(s.put(putReq('big', tooBig), ctx())).rejects.toBeInstanceOf(ErrNoSpace);
    // the alarm is proposed in the background: wait until it is applied
    const deadline = Date.now() + 5000;
    let errors: string[] = [];
    while (Date.now() < deadline) {
      errors = (await s.status(ctx())).errors;
      if (errors.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors).toEqual([`memberID:${s.identity.memberId} alarm:NOSPACE `]);
    await expect(s.put(putReq('tiny', 'v'), ctx())).rejects.toThrow('etcdserver: mvcc: database space exceeded');
    await s.deleteRange(deleteReq('small'), ctx());
    expect((await s.range(rangeReq('big'), ctx())).kvs).toHaveLength(0);
    await s.close();

    s = await startMember(dir, { quotaBackendBytes: quotaBytes });
    try {
      await expect(s.put(putReq('tiny', 'v'), ctx())).rejects.toBeInstanceOf(ErrNoSpace);
      const disarm = await s.alarm({ action: AlarmRequest_AlarmAction.DEACTIVATE, memberID: s.identity.memberId, alarm: AlarmType.NOSPACE }, ctx());
      expect(disarm.alarms).toHaveLength(1);
      await s.put(putReq('tiny', 'v'), ctx());
      expect((await s.status(ctx())).errors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
