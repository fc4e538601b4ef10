// Operation counters of the v2 store (GET /v2/stats/store).

export interface V2StoreStatsJson {
  getsSuccess: number;
  getsFail: number;
  setsSuccess: number;
  setsFail: number;
  deleteSuccess: number;
  deleteFail: number;
  updateSuccess: number;
  updateFail: number;
  createSuccess: number;
  createFail: number;
  compareAndSwapSuccess: number;
  compareAndSwapFail: number;
  compareAndDeleteSuccess: number;
  compareAndDeleteFail: number;
  expireCount: number;
  watchers: number;
}

type Counter = Exclude<keyof V2StoreStatsJson, 'watchers'>;
const ALIASES: Readonly<Record<string, Counter>> = { setSuccess: 'setsSuccess', setFail: 'setsFail' };

export class V2StoreStats {
  private readonly counts = new Map<Counter, number>();

  inc(name: Counter | 'setSuccess' | 'setFail' | 'getSuccess' | `${string}${'Success' | 'Fail'}`): void {
    const key = (ALIASES[name] ?? name) as Counter;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(name: Counter): number {
    return this.counts.get(name) ?? 0;
  }

  /** The counters for a snapshot (etcd saves its store stats in the snapshot too). */
  saveCounts(): Partial<Record<Counter, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Replaces every counter with a snapshot's (counters it lacks restart from 0). */
  loadCounts(saved: Partial<Record<string, number>>): void {
    this.counts.clear();
    for (const [name, value] of Object.entries(saved)) {
      if (typeof value === 'number' && name !== 'watchers') this.counts.set(name as Counter, value);
    }
  }

  toJson(watchers: number): V2StoreStatsJson {
    const g = (k: Counter): number => this.get(k);
    return {
      getsSuccess: g('getsSuccess'),
      getsFail: g('getsFail'),
      setsSuccess: g('setsSuccess'),
      setsFail: g('setsFail'),
      deleteSuccess: g('deleteSuccess'),
      deleteFail: g('deleteFail'),
      updateSuccess: g('updateSuccess'),
      updateFail: g('updateFail'),
      createSuccess: g('createSuccess'),
      createFail: g('createFail'),
      compareAndSwapSuccess: g('compareAndSwapSuccess'),
      compareAndSwapFail: g('compareAndSwapFail'),
      compareAndDeleteSuccess: g('compareAndDeleteSuccess'),
      compareAndDeleteFail: g('compareAndDeleteFail'),
      expireCount: g('expireCount'),
      watchers,
    };
  }
}
