// Micro-benchmark of the h2c :authority filter's read path (not a test). Run with:
//   npx esbuild packages/server/src/api/h2c-authority/filter-bench.ts --bundle --platform=node \
//     --outfile=/tmp/filter-bench.cjs && node /tmp/filter-bench.cjs
// Each workload is a byte stream as a gRPC client would send it, cut into TCP-read-sized chunks,
// pushed through a fresh filter many times; "copy" is the cost of a loop that only touches each
// chunk (the floor), so filter minus copy is what the frame walk adds.

import { AuthorityFrameFilter, FLAG_END_HEADERS, HTTP2_CLIENT_PREFACE } from './frame-filter';
import { encodeRawString } from './hpack-block';
import { encodeHuffman } from './huffman';
import { frame } from './test-frames';

const WARM_MS = 300;
const WINDOW_MS = 150;
const WINDOWS = 7;
const HEADERS = 0x1;
const DATA = 0x0;
const END_STREAM = 0x1;

function huffmanString(value: string): Buffer {
  const out = encodeRawString(encodeHuffman(Buffer.from(value)));
  out[0] = out[0]! | 0x80;
  return out;
}

/** A gRPC request's header block: indexed pseudo-headers, then :authority literal or indexed. */
function headerBlock(literalAuthority: boolean): Buffer {
  const authority = literalAuthority ? Buffer.concat([Buffer.from([0x41]), huffmanString('http://127.0.0.1:2379')]) : Buffer.from([0xbe]);
  return Buffer.concat([Buffer.from([0x83, 0x86]), Buffer.from([0x44]), huffmanString('/etcdserverpb.KV/Put'), authority, Buffer.from([0xbf, 0xbd, 0xbc])]);
}

function stream(requests: number, bodyBytes: number, literalEvery: boolean): Buffer {
  const parts: Buffer[] = [HTTP2_CLIENT_PREFACE, frame(0x4, 0, 0, Buffer.alloc(0))];
  for (let i = 0; i < requests; i++) {
    const id = 2 * i + 1;
    parts.push(frame(HEADERS, FLAG_END_HEADERS, id, headerBlock(literalEvery || i === 0)));
    for (let left = bodyBytes; left > 0; left -= 16_384) parts.push(frame(DATA, left <= 16_384 ? END_STREAM : 0, id, Buffer.alloc(Math.min(left, 16_384), 0x61)));
  }
  return Buffer.concat(parts);
}

function chunk(bytes: Buffer, chunkBytes: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) out.push(bytes.subarray(i, i + chunkBytes));
  return out;
}

function measure(label: string, chunks: Buffer[], frames: number, totalBytes: number): void {
  let sink = 0;
  const emit = (b: Buffer): void => {
    sink += b.length;
  };
  /** ns per pass: the best of WINDOWS windows of WINDOW_MS (the machine is shared), after warming up. */
  const time = (fn: () => void): number => {
    const until = (ms: number): number => {
      let passes = 0;
      const t0 = process.hrtime.bigint();
      const limit = t0 + BigInt(ms * 1e6);
      let now = t0;
      while (now < limit) {
        fn();
        passes++;
        now = process.hrtime.bigint();
      }
      return Number(now - t0) / passes;
    };
    until(WARM_MS);
    let best = Infinity;
    for (let w = 0; w < WINDOWS; w++) best = Math.min(best, until(WINDOW_MS));
    return best;
  };
  const filterNs = time(() => {
    const f = new AuthorityFrameFilter();
    for (const c of chunks) f.push(c, emit);
  });
  const copyNs = time(() => {
    for (const c of chunks) emit(c);
  });
  const perFrame = (filterNs - copyNs) / frames;
  console.log(
    `${label.padEnd(44)} ${(filterNs / 1e6).toFixed(3)} ms/stream  floor ${(copyNs / 1e6).toFixed(3)} ms  ` +
      `+${perFrame.toFixed(1)} ns/frame  +${(((filterNs - copyNs) / totalBytes) * 1e3).toFixed(2)} ns/KB${sink > 0 ? '' : ' (no output?)'}`,
  );
}

const workloads: Array<[string, number, number, boolean, number]> = [
  ['unary 100 B bodies, 64 KiB reads', 10_000, 100, false, 65_536],
  ['unary 100 B bodies, 1 KiB reads', 10_000, 100, false, 1_024],
  ['unary 100 B bodies, every one rewritten', 10_000, 100, true, 65_536],
  ['1 MiB bodies (16 KiB DATA), 64 KiB reads', 50, 1_048_576, false, 65_536],
];
for (const [label, requests, bodyBytes, literalEvery, chunkBytes] of workloads) {
  const bytes = stream(requests, bodyBytes, literalEvery);
  const frames = 2 + requests * (1 + Math.max(1, Math.ceil(bodyBytes / 16_384)));
  measure(label, chunk(bytes, chunkBytes), frames, bytes.length);
}
