// One protobuf BinaryWriter reused by the hot encoders (gRPC frames, proposals): a fresh writer
// starts at 128 bytes and doubles while a message is written; finish() copies the bytes out, so
// only the grown buffer is shared between calls.

import { BinaryWriter } from '@bufbuild/protobuf/wire';

export interface MessageEncoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/** A writer whose capacity survives a message up to this size is kept for the next one. */
export const SHARED_WRITER_MAX_BYTES = 64 * 1024;
let sharedWriter: BinaryWriter | undefined;

/** `codec.encode(message).finish()`, after `prefix` when given, on the shared writer. */
export function encodeShared<T>(codec: MessageEncoder<T>, message: T, prefix?: Uint8Array): Uint8Array {
  // Taken out while in use: a throwing codec drops it (half-written) and a nested call gets its own.
  const writer = sharedWriter ?? new BinaryWriter();
  sharedWriter = undefined;
  if (prefix !== undefined) writer.raw(prefix);
  codec.encode(message, writer);
  const bytes = writer.finish();
  if (bytes.byteLength <= SHARED_WRITER_MAX_BYTES) sharedWriter = writer;
  return bytes;
}
