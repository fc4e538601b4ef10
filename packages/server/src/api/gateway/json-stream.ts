// Splits a byte stream into top-level JSON values (Go's json.Decoder on a request body): values may
// be separated by whitespace or newlines and may span chunks.

export class JsonValueSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  /** Feeds text; returns every complete top-level value (as text) now available. */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i] as string;
      if (this.start < 0) {
        if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
        this.start = i;
        if (c !== '{' && c !== '[') {
          // A scalar at top level: hand the rest over as one value (JSON.parse reports the error).
          out.push(this.buf.slice(i));
          this.reset('');
          return out;
        }
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.buf.slice(this.start, i + 1));
          this.buf = this.buf.slice(i + 1);
          this.start = -1;
          i = -1;
          this.scanned = 0;
          continue;
        }
      }
    }
    this.scanned = this.buf.length;
    return out;
  }

  /** What is left at end of input (an incomplete value), if anything but whitespace. */
  rest(): string | undefined {
    const r = this.buf.trim();
    return r === '' ? undefined : r;
  }

  private reset(buf: string): void {
    this.buf = buf;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.start = -1;
    this.scanned = 0;
  }
}

/** Go encoding/json's syntax error text for a body JSON.parse rejected. */
export function goJsonSyntaxError(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed === '') return 'EOF';
  try {
    JSON.parse(text);
    return 'invalid JSON';
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    if (m === null) return 'unexpected EOF';
    const pos = Number(m[1]);
    const c = text[pos];
    if (c === undefined) return 'unexpected EOF';
    const offset = text.length - trimmed.length;
    return pos === offset ? `invalid character '${c}' looking for beginning of value` : `invalid character '${c}' looking for beginning of object key string`;
  }
}
