// A WAL failure is fatal: the member stops, the proposal is never acknowledged, and stopped()
// reports the error (the bin exits on it, as etcd's Fatal does).

import * as fs from 'node:fs';
import { ErrStopped } from '@tsetcd/api';
import { ctx, putReq, rangeReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(30_000);

it('member: a WAL write failure stops the member without acknowledging the write', async () => {
  const dir = tempDir('fatal');
  try {
    const s = await startMember(dir);
    await s.put(putReq('before', 'v'), ctx());
    // Pull the WAL away under the running member (as a failing disk would).
    await (s as unknown as { wal: { close(): Promise<void> } }).wal.close();
    await expect(s.put(putReq('lost', 'v'), ctx())).rejects.toBeInstanceOf(ErrStopped);
    const err = await s.stopped();
    expect(String(err)).toMatch(/WAL/i);
    await expect(s.range(rangeReq('before'), ctx())).rejects.toBeInstanceOf(ErrStopped);

    const again = await startMember(dir);
    try {
      expect((await again.range(rangeReq('before'), ctx())).kvs).toHaveLength(1);
      expect((await again.range(rangeReq('lost'), ctx())).kvs).toHaveLength(0);
    } finally {
      await again.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
