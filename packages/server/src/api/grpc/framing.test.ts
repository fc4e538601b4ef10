import fc from 'fast-check';
import { PutRequest } from '@tsetcd/api';
import { Deframer, encodeFrame, frameBytes, FRAME_HEADER_BYTES } from './framing';
import { decodeGrpcMessage, encodeGrpcMessage } from './grpc-message';
import { formatGrpcTimeout, parseGrpcTimeoutMs } from './grpc-timeout';

function drain(d: Deframer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (;;) {
    const r = d.next();
    if (r === undefined) return out;
    if (r.kind !== 'message') throw new Error(r.kind);
    out.push(Buffer.from(r.bytes));
  }
}

describe('framing', () => {
  it('encodeFrame writes the 5-byte prefix in front of the encoded message', () => {
    const msg = PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.from('value') });
    const frame = encodeFrame(PutRequest, msg);
    const body = PutRequest.encode(msg).finish();
    expect(frame[0]).toBe(0);
    expect(frame.readUInt32BE(1)).toBe(body.length);
    expect(Buffer.compare(frame.subarray(FRAME_HEADER_BYTES), Buffer.from(body))).toBe(0);
  });

  it('frames encoded one after another (and after a failed encode) do not share bytes', () => {
    const a = PutRequest.fromPartial({ key: Buffer.from('a'), value: Buffer.alloc(300, 1) });
    const b = PutRequest.fromPartial({ key: Buffer.from('b'), value: Buffer.alloc(10, 2) });
    const fa = encodeFrame(PutRequest, a);
    const copyA = Buffer.from(fa);
    const throwing = {
      encode(): never {
        throw new Error('boom');
      },
    };
    expect(() => encodeFrame(throwing as never, a)).toThrow('boom');
    const fb = encodeFrame(PutRequest, b);
    expect(Buffer.compare(fa, copyA)).toBe(0);
    expect(fb.readUInt32BE(1)).toBe(PutRequest.encode(b).finish().length);
    expect(PutRequest.decode(fb.subarray(FRAME_HEADER_BYTES)).key).toEqual(new Uint8Array(Buffer.from('b')));
    expect(fa.buffer === fb.buffer && fa.byteOffset === fb.byteOffset).toBe(false);
  });

  it('an empty message is a bare 5-byte frame', () => {
    expect([...encodeFrame(PutRequest, PutRequest.fromPartial({}))]).toEqual([0, 0, 0, 0, 0]);
  });

  it('deframes any split of any sequence of messages', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
      (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => frameBytes(m)));
        const d = new Deframer(1000);
        const got: Uint8Array[] = [];
        let pos = 0;
        let i = 0;
        while (pos < stream.length) {
          const n = cuts[i++ % cuts.length] as number;
          d.push(stream.subarray(pos, pos + n));
          pos += n;
          got.push(...drain(d));
        }
        expect(got.map((b) => Buffer.from(b).toString('hex'))).toEqual(messages.map((m) => Buffer.from(m).toString('hex')));
        expect(d.bufferedBytes).toBe(0);
      },
    ));
  });

  it('reports an oversize message from its header alone, before the body arrives', () => {
    const d = new Deframer(10);
    d.push(Buffer.from([0, 0, 0, 0, 11]));
    expect(d.next()).toEqual({ kind: 'too-large', length: 11 });
  });

  it('reports the compressed flag', () => {
    const d = new Deframer(10);
    d.push(Buffer.from([1, 0, 0, 0, 1, 7]));
    expect(d.next()).toEqual({ kind: 'compressed' });
  });
});

describe('grpc-message percent-encoding', () => {
  it('leaves printable ASCII alone and encodes %, controls and UTF-8 bytes', () => {
    expect(encodeGrpcMessage('etcdserver: key not found')).toBe('etcdserver: key not found');
    expect(encodeGrpcMessage('50% off')).toBe('50%25 off');
    expect(encodeGrpcMessage('a\nb')).toBe('a%0Ab');
    expect(encodeGrpcMessage('✓')).toBe('%E2%9C%93');
  });

  it('round-trips any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(decodeGrpcMessage(encodeGrpcMessage(s))).toBe(s);
    }));
  });
});

describe('grpc-timeout', () => {
  it('parses every unit', () => {
    expect(parseGrpcTimeoutMs('5S')).toBe(5000);
    expect(parseGrpcTimeoutMs('100m')).toBe(100);
    expect(parseGrpcTimeoutMs('2M')).toBe(120_000);
    expect(parseGrpcTimeoutMs('1H')).toBe(3_600_000);
    expect(parseGrpcTimeoutMs('1000u')).toBe(1);
    expect(parseGrpcTimeoutMs('1000000n')).toBe(1);
  });

  it('ignores malformed or absent headers', () => {
    expect(parseGrpcTimeoutMs(undefined)).toBeUndefined();
    expect(parseGrpcTimeoutMs('5')).toBeUndefined();
    expect(parseGrpcTimeoutMs('123456789S')).toBeUndefined();
    expect(parseGrpcTimeoutMs('-1S')).toBeUndefined();
  });

  it('formats what it parses', () => {
    for (const ms of [0, 1, 999, 5000, 1e9, 1e12]) {
      const parsed = parseGrpcTimeoutMs(formatGrpcTimeout(ms));
      expect(parsed).toBeGreaterThanOrEqual(ms);
    }
  });
});
