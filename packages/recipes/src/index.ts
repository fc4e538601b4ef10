// @tsetcd/recipes: coordination recipes on @tsetcd/client with Go clientv3/concurrency's layouts.
export { Session, DEFAULT_SESSION_TTL_SECONDS, type SessionOptions } from './session';
export { Election, observeElection, type SignalOptions } from './election';
export { Mutex, LockHold } from './mutex';
export { waitDeletes, waitDelete } from './wait-deletes';
export { leaseHex, sessionKey } from './keys';
export { RecipeError, ErrElectionNoLeader, ErrElectionNotLeader, ErrLocked, ErrSessionExpired } from './errors';
