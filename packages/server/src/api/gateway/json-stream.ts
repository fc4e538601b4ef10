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

const VALUE_START = new Set(['{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n']);

/** Go encoding/json's syntax error text for a body JSON.parse rejected (the common cases). */
export function goJsonSyntaxError(text: string): string {
  const trimmed = text.trimStart();
  const first = trimmed[0];
  if (first === undefined) return 'EOF';
  if (!VALUE_START.has(first)) return `invalid character '${first}' looking for beginning of value`;
  try {
    JSON.parse(text);
    return 'invalid JSON';
  } catch (err) {
    const message = (err as Error).message;
    if (/end of JSON|Unterminated|Unexpected end/i.test(message)) return 'unexpected EOF';
    const m = /position (\d+)/.exec(message);
    const c = m === null ? /Unexpected token '?(.)/.exec(message)?.[1] : text[Number(m[1])];
    if (c === undefined) return 'unexpected EOF';
    return `invalid character '${c}' looking for beginning of object key string`;
  }
}
