// etcdctl v3 exit codes and the error that carries one up to main().
export const EXIT_SUCCESS = 0;
export const EXIT_ERROR = 1;
export const EXIT_BAD_CONNECTION = 2;
export const EXIT_INVALID_INPUT = 3;
export const EXIT_BAD_FEATURE = 4;
export const EXIT_INTERRUPTED = 5;
export const EXIT_IO = 6;
export const EXIT_BAD_ARGS = 128;

/** Printed as `Error: <message>` on stderr, then the process exits with `code`. */
export class CtlExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function fail(code: number, message: string): never {
  throw new CtlExit(code, message);
}
