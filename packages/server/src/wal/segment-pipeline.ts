// Preallocates the next WAL segment in the background so a cut only renames a ready file
// (etcd's filePipeline). Spares are `<n>.tmp` files in the WAL directory, sized with ftruncate
// (sparse: reads return zeros, which is what torn-tail detection relies on).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRIVATE_FILE_MODE } from '../pkg/fileutil';

export interface SpareSegment {
  readonly path: string;
  readonly fd: number;
}

export class SegmentPipeline {
  private count = 0;
  private pending: Promise<SpareSegment>;

  constructor(
    private readonly dir: string,
    private readonly sizeBytes: number,
  ) {
    this.pending = this.allocate();
  }

  /** The preallocated spare (waiting for it if needed); starts preparing the one after. */
  async take(): Promise<SpareSegment> {
    const spare = await this.pending;
    this.pending = this.allocate();
    return spare;
  }

  /** Close and delete the spare being prepared. */
  async close(): Promise<void> {
    const spare = await this.pending.catch(() => undefined);
    if (!spare) return;
    fs.closeSync(spare.fd);
    await fs.promises.rm(spare.path, { force: true });
  }

  private allocate(): Promise<SpareSegment> {
    const p = path.join(this.dir, `${this.count % 2}.tmp`);
    this.count++;
    const spare = new Promise<SpareSegment>((resolve, reject) => {
      fs.open(p, 'w+', PRIVATE_FILE_MODE, (openErr, fd) => {
        if (openErr) return reject(openErr);
        fs.ftruncate(fd, this.sizeBytes, (truncErr) => {
          if (!truncErr) return resolve({ path: p, fd });
          fs.close(fd, () => reject(truncErr));
        });
      });
    });
    spare.catch(() => undefined); // reported by take(); never an unhandled rejection meanwhile
    return spare;
  }
}
