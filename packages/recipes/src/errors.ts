// Recipe errors; the messages are Go clientv3/concurrency's, so logs read the same in both languages.
export class RecipeError extends Error {
  override name = 'RecipeError';
}

/** `election: not leader` (Proclaim/Resign without leadership, or leadership lost). */
export class ErrElectionNotLeader extends RecipeError {
  constructor() {
    super('election: not leader');
  }
}

/** `election: no leader` (Leader() with no candidate). */
export class ErrElectionNoLeader extends RecipeError {
  constructor() {
    super('election: no leader');
  }
}

/** `mutex: Locked by another session` (tryLock, as in clientv3 3.5). */
export class ErrLocked extends RecipeError {
  constructor() {
    super('mutex: Locked by another session');
  }
}

/** `session expired`: the session's lease was lost while a recipe relied on it. */
export class ErrSessionExpired extends RecipeError {
  constructor(cause?: unknown) {
    super('session expired', { cause });
  }
}
