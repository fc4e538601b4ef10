// A WalIo that performs the real writes but also models what a power loss would leave on disk:
// per 512-byte sector, the content at its last sync (fdatasync: every sector of the file; an
// O_DSYNC write: the sectors it touched) or, for a sector changed since, possibly the newer
// content. `crash()` makes later syncs fail (the process is gone) and `image(rand)` draws one
// possible on-disk state. One file only (tests keep the WAL in a single segment).

import type { WalIo } from '../wal';
import * as fs from 'node:fs';
import { writeAt } from '../../pkg/fileutil';

const SECTOR = 512;

export class PowerLossDisk {
  private latest: Buffer;
  private durable: Buffer;
  private readonly dirty = new Set<number>();
  private crashed = false;

  constructor(base: Buffer) {
    this.latest = Buffer.from(base);
    this.durable = Buffer.from(base);
  }

  /** Records a write of buf[offset, offset + length) at `position` into the sector model. */
  private record(buf: Uint8Array, offset: number, length: number, position: number, durable: boolean): void {
    this.latest.set(buf.subarray(offset, offset + length), position);
    const first = Math.floor(position / SECTOR);
    const last = Math.floor((position + length - 1) / SECTOR);
    for (let s = first; s <= last; s++) {
      if (durable && !this.crashed) {
        this.latest.copy(this.durable, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
        this.dirty.delete(s);
      } else {
        this.dirty.add(s);
      }
    }
  }

  readonly io: WalIo = {
    writeAt: async (fd, buf, offset, length, position, durable) => {
      if (position + length > this.latest.length) throw new Error('power-loss disk: write past the preallocated file');
      await writeAt(fd, buf, offset, length, position);
      this.record(buf, offset, length, position, durable);
      if (durable && this.crashed) throw new Error('power-loss disk: crashed');
    },
    writeAtSync: (fd, buf, offset, length, position) => {
      if (position + length > this.latest.length) throw new Error('power-loss disk: write past the preallocated file');
      let done = 0;
      while (done < length) done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
      this.record(buf, offset, length, position, false);
    },
    fdatasync: async (fd) => {
      if (this.crashed) throw new Error('power-loss disk: crashed');
      void fd; // durability is modelled here; a real sync would only slow the test down
      for (const s of this.dirty) this.latest.copy(this.durable, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
      this.dirty.clear();
    },
  };

  crash(): void {
    this.crashed = true;
  }

  /** One on-disk state a power loss now could leave: each unsynced sector old or new at random. */
  image(rand: () => number): Buffer {
    const out = Buffer.from(this.durable);
    for (const s of this.dirty) {
      if (rand() < 0.5) this.latest.copy(out, s * SECTOR, s * SECTOR, (s + 1) * SECTOR);
    }
    return out;
  }
}

/** Small seeded PRNG (mulberry32) so a failing case replays from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
