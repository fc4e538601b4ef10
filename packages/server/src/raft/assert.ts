// A tiny assertion helper for the raft core: a failed assertion is a programmer error and is never caught.
// Pass the message as a function on hot paths so it is only built when the assertion fails.

export class RaftAssertionError extends Error {}

export function assert(cond: boolean, msg: string | (() => string)): asserts cond {
  if (!cond) throw new RaftAssertionError(`raft assertion failed: ${typeof msg === 'function' ? msg() : msg}`);
}
