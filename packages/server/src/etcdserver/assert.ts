// Programmer-error checks for the member. A failed assertion means a bug: never caught here.

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`etcdserver: assertion failed: ${message}`);
}
