// @tsetcd/recipes: coordination recipes on @tsetcd/client with Go clientv3/concurrency's layouts.
export { Session, DEFAULT_SESSION_TTL_SECONDS, type SessionOptions } from './session';
export { Election, observeElection, type SignalOptions } from './election';
export { Mutex, LockHold } from './mutex';
export { waitDeletes, waitDelete } from './wait-deletes';
export { leaseHex, sessionKey } from './keys';
export { RecipeError, ErrElectionNoLeader, ErrElectionNotLeader, ErrLocked, ErrSessionExpired } from './errors';
export {
  ServiceRegistry,
  Registration,
  ServicePicker,
  DEFAULT_REGISTRATION_TTL_SECONDS,
  REREGISTER_BACKOFF_MS,
  type ServiceInstance,
  type ServiceEvent,
  type RegisterOptions,
  type PickStrategy,
} from './registry';
export { Queue, PriorityQueue, MAX_PRIORITY, type QueueCallOptions } from './queue';
export { Barrier, DoubleBarrier, ErrTooManyClients, type BarrierCallOptions } from './barrier';
export { ErrKeyExists, putNewKey, putUniqueKey, putSequentialKey, deleteRevKey, waitEvent } from './remote-kv';
export { RWMutex, type RWMutexCallOptions } from './rwmutex';
export { Semaphore, SemaphorePermit } from './semaphore';
export { runStm, Isolation, type StmTxn, type StmOptions } from './stm';
