// A tiny assertion helper for the raft core: a failed assertion is a programmer error and is never caught.

export class RaftAssertionError extends Error {}

export function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new RaftAssertionError(`raft assertion failed: ${msg}`);
}
