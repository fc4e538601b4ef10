import fc from 'fast-check';
import { AuthorityFrameFilter, DEFAULT_MAX_FRAME_SIZE, FLAG_END_HEADERS, FLAG_PADDED, FLAG_PRIORITY, HTTP2_CLIENT_PREFACE } from './frame-filter';
import { encodeRawString } from './hpack-block';
import { encodeHuffman } from './huffman';
import { captureClientBytes, frame, parseFrames } from './test-frames';

const URL_AUTHORITY = 'http://127.0.0.1:2379';
const REWRITTEN = 'http:--127.0.0.1:2379';
const HEADERS = 0x1;
const DATA = 0x0;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;

function huffmanString(value: string): Buffer {
  const out = encodeRawString(encodeHuffman(Buffer.from(value)));
  out[0] = out[0]! | 0x80;
  return out;
}
const block = (authority: Buffer): Buffer => Buffer.concat([Buffer.from([0x83, 0x86, 0x84, 0x41]), authority, Buffer.from([0x5f]), encodeRawString(Buffer.from('application/grpc'))]);
const cleanBlock = (value: string): Buffer => block(encodeRawString(Buffer.from(value)));

/** Runs `chunks` through one filter; returns the pieces it emitted. */
function run(chunks: Buffer[], filter = new AuthorityFrameFilter()): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) filter.push(chunk, (b) => out.push(b));
  return out;
}
const settings = frame(SETTINGS, 0, 0, Buffer.alloc(0));

describe('AuthorityFrameFilter', () => {
  it('forwards chunks without a rewrite as the very same Buffer objects', () => {
    const chunks = [HTTP2_CLIENT_PREFACE, settings, Buffer.concat([frame(HEADERS, FLAG_END_HEADERS, 1, cleanBlock('127.0.0.1:2379')), frame(DATA, END_STREAM, 1, Buffer.alloc(100, 7))])];
    const out = run(chunks);
    expect(out).toHaveLength(3);
    out.forEach((b, i) => expect(b).toBe(chunks[i]));
  });

  it('re-emits a HEADERS frame with a URL :authority, Huffman-coded, with its new length', () => {
    const data = frame(DATA, END_STREAM, 1, Buffer.from('body'));
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, settings, frame(HEADERS, FLAG_END_HEADERS, 1, block(huffmanString(URL_AUTHORITY))), data]);
    const filter = new AuthorityFrameFilter();
    const out = Buffer.concat(run([input], filter));
    expect(out).toEqual(Buffer.concat([HTTP2_CLIENT_PREFACE, settings, frame(HEADERS, FLAG_END_HEADERS, 1, cleanBlock(REWRITTEN)), data]));
    expect(filter.rewrites).toBe(1);
  });

  it('keeps the PADDED and PRIORITY fields and the padding', () => {
    const priority = Buffer.from([0x80, 0, 0, 3, 15]);
    const padding = Buffer.alloc(6, 0);
    const payload = (b: Buffer): Buffer => Buffer.concat([Buffer.from([padding.length]), priority, b, padding]);
    const flags = FLAG_END_HEADERS | FLAG_PADDED | FLAG_PRIORITY | END_STREAM;
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, frame(HEADERS, flags, 5, payload(block(huffmanString(URL_AUTHORITY))))]);
    const out = Buffer.concat(run([input]));
    expect(out).toEqual(Buffer.concat([HTTP2_CLIENT_PREFACE, frame(HEADERS, flags, 5, payload(cleanBlock(REWRITTEN)))]));
  });

  it('passes a header block continued in CONTINUATION frames through unchanged', () => {
    const whole = cleanBlock(URL_AUTHORITY);
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, frame(HEADERS, 0, 1, whole.subarray(0, 10)), frame(CONTINUATION, FLAG_END_HEADERS, 1, whole.subarray(10))]);
    expect(Buffer.concat(run([input]))).toEqual(input);
  });

  it('does not parse a connection that does not start with the preface', () => {
    const notPreface = Buffer.concat([Buffer.from('PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n'), frame(HEADERS, FLAG_END_HEADERS, 1, cleanBlock(URL_AUTHORITY))]);
    const filter = new AuthorityFrameFilter();
    expect(Buffer.concat(run([notPreface.subarray(0, 5), notPreface.subarray(5)], filter))).toEqual(notPreface);
    expect(filter.rewrites).toBe(0);
    expect(filter.heldBytes).toBe(0);
  });

  it('passes a HEADERS frame longer than the default max frame size unread, even split', () => {
    const big = cleanBlock(URL_AUTHORITY + 'x'.repeat(DEFAULT_MAX_FRAME_SIZE));
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, frame(HEADERS, FLAG_END_HEADERS, 1, big)]);
    const filter = new AuthorityFrameFilter();
    const out = run([input.subarray(0, 1000), input.subarray(1000)], filter);
    expect(Buffer.concat(out)).toEqual(input);
    expect(filter.heldBytes).toBe(0);
  });

  it('drops a rewrite that would push a frame past the max frame size', () => {
    // '1' takes 5 bits in Huffman: the raw rewrite is 60% longer.
    const value = `http://h:${'1'.repeat(20_000)}`;
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, frame(HEADERS, FLAG_END_HEADERS, 1, block(huffmanString(value)))]);
    expect(input.length - HTTP2_CLIENT_PREFACE.length - 9).toBeLessThanOrEqual(DEFAULT_MAX_FRAME_SIZE);
    expect(Buffer.concat(run([input]))).toEqual(input);
  });

  it('removes exactly the first SETTINGS ACK when asked to, wherever the chunks split', () => {
    const ack = frame(SETTINGS, 0x1, 0, Buffer.alloc(0));
    const ping = frame(0x6, 0, 0, Buffer.alloc(8, 1));
    const input = Buffer.concat([HTTP2_CLIENT_PREFACE, settings, ping, ack, ping, ack, ping]);
    const expected = Buffer.concat([HTTP2_CLIENT_PREFACE, settings, ping, ping, ack, ping]);
    for (let cut = 1; cut < input.length; cut++) {
      const filter = new AuthorityFrameFilter({ dropFirstSettingsAck: true });
      expect(Buffer.concat(run([input.subarray(0, cut), input.subarray(cut)], filter))).toEqual(expected);
    }
    expect(Buffer.concat(run([input]))).toEqual(input);
  });

  describe('with header blocks encoded by Node http2 client', () => {
    let captured: Buffer;
    const requests = [1, 2, 3].map((n) => ({ ':method': 'POST', ':path': `/etcdserverpb.Maintenance/Status${n}`, ':authority': URL_AUTHORITY, 'content-type': 'application/grpc', te: 'trailers' }));
    beforeAll(async () => {
      captured = await captureClientBytes(requests);
    });

    it('rewrites the literal :authority and leaves later indexed references alone', () => {
      const filter = new AuthorityFrameFilter();
      const out = Buffer.concat(run([captured], filter));
      const before = parseFrames(captured);
      const after = parseFrames(out);
      expect(after.map((f) => [f.type, f.flags, f.streamId])).toEqual(before.map((f) => [f.type, f.flags, f.streamId]));
      const headers = after.filter((f) => f.type === HEADERS);
      expect(headers).toHaveLength(3);
      expect(headers[0]!.payload.includes(REWRITTEN)).toBe(true);
      // nghttp2 indexes :authority: the next requests refer to the table entry, which the
      // server's decoder now holds rewritten, so those frames are forwarded untouched.
      expect(filter.rewrites).toBe(1);
      const firstBefore = before.filter((f) => f.type === HEADERS)[0]!;
      expect(out.length - captured.length).toBe(headers[0]!.payload.length - firstBefore.payload.length);
      expect(headers.slice(1)).toEqual(before.filter((f) => f.type === HEADERS).slice(1));
    });

    it('gives the same bytes however the stream is split into chunks', () => {
      const whole = Buffer.concat(run([captured]));
      for (let cut = 1; cut < captured.length; cut++) {
        expect(Buffer.concat(run([captured.subarray(0, cut), captured.subarray(cut)]))).toEqual(whole);
      }
      const bytewise = Array.from({ length: captured.length }, (_, i) => captured.subarray(i, i + 1));
      expect(Buffer.concat(run(bytewise))).toEqual(whole);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: captured.length }), { maxLength: 12 }), (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const p of points) {
            chunks.push(captured.subarray(from, p));
            from = p;
          }
          chunks.push(captured.subarray(from));
          expect(Buffer.concat(run(chunks.filter((c) => c.length > 0)))).toEqual(whole);
        }),
      );
    });
  });

  it('never throws on arbitrary frames and loses or invents no bytes when nothing is rewritten', () => {
    const anyFrame = fc
      .tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 60 }))
      .map(([type, flags, payload]) => frame(type, flags, 1, Buffer.from(payload)));
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 8 }), fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 1, max: 50 }), (frames, tail, step) => {
        const input = Buffer.concat([HTTP2_CLIENT_PREFACE, ...frames, Buffer.from(tail)]);
        const filter = new AuthorityFrameFilter();
        const chunks: Buffer[] = [];
        for (let i = 0; i < input.length; i += step) chunks.push(input.subarray(i, i + step));
        const out = Buffer.concat(run(chunks, filter));
        if (filter.rewrites === 0) expect(out.equals(input.subarray(0, input.length - filter.heldBytes))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
