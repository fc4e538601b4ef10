// Test helper: a KvStore on a fresh temporary backend, removed by cleanup().

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend } from '../backend/backend';
import { KvStore, type KvStoreOptions } from './kv-store';

export interface TestStore {
  store: KvStore;
  backend: Backend;
  dir: string;
  /** Closes the backend and opens a new store over the same directory. */
  reopen(opts?: KvStoreOptions): Promise<KvStore>;
  cleanup(): Promise<void>;
}

export function openTestStore(opts: KvStoreOptions = {}): TestStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-mvcc-'));
  const dbPath = path.join(dir, 'db');
  const t: TestStore = {
    dir,
    backend: Backend.open(dbPath),
    store: undefined as unknown as KvStore,
    async reopen(o = opts) {
      await t.store.close();
      await t.backend.close();
      t.backend = Backend.open(dbPath);
      t.store = new KvStore(t.backend, o);
      return t.store;
    },
    async cleanup() {
      await t.store.close();
      await t.backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  t.store = new KvStore(t.backend, opts);
  return t;
}
