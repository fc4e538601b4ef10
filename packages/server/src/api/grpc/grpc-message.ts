// grpc-message trailer encoding (gRPC over HTTP/2 spec): bytes outside 0x20-0x7E and '%' itself are
// percent-encoded from the UTF-8 form; decoding is lenient like grpc-go.

const encoder = new TextEncoder();

function needsEncoding(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) return true;
  }
  return false;
}

export function encodeGrpcMessage(text: string): string {
  if (!needsEncoding(text)) return text;
  let out = '';
  for (const byte of encoder.encode(text)) {
    if (byte >= 0x20 && byte <= 0x7e && byte !== 0x25) out += String.fromCharCode(byte);
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeGrpcMessage(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
