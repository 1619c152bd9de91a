/**
 * The UTF-8 output of the compiled JSON encoders (json-encoder.ts): JSON text written straight
 * into a reused buffer, byte for byte what `Buffer.from(JSON.stringify(...), 'utf8')` gives. A
 * text built by concatenation is a rope of hundreds of pieces that Buffer.from must flatten and
 * then encode; writing the bytes as the encoder goes costs neither.
 */

/** Node's unchecked UTF-8 write (what `Buffer#write` ends in, minus argument handling). */
interface Utf8Buffer {
  utf8Write(text: string, offset: number, length: number): number;
}
const fastUtf8 = typeof (Buffer.prototype as Partial<Utf8Buffer>).utf8Write === 'function';

export class JsonWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** One ASCII byte (a bracket, a comma, a colon). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Text the caller knows to be ASCII and JSON as it stands: fixed fragments, number literals, base64. */
  ascii(text: string): void {
    const length = text.length;
    this.ensure(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Any well-formed text as UTF-8 (fragments with non-ASCII names, JSON.stringify output). */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.pos += fastUtf8 ? (this.buf as unknown as Utf8Buffer).utf8Write(text, this.pos, this.buf.length - this.pos) : this.buf.write(text, this.pos, 'utf8');
  }

  /**
   * A string as JSON.stringify writes it. Printable ASCII without a quote or backslash (most
   * strings) is copied as it is scanned; anything else (a character to escape, any non-ASCII unit,
   * so also every surrogate) is written as JSON.stringify writes the whole string.
   */
  string(text: string): void {
    const length = text.length;
    this.ensure(length + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = 0x22;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f) {
        this.pos = start;
        this.text(JSON.stringify(text));
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** A copy of what was written: the writer's buffer is reused by the next encode. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

/** One writer reused by every encode (encodes do not nest; a nested one, from a getter say, gets its own). */
let sharedWriter: JsonWriter | undefined = new JsonWriter();

export function takeJsonWriter(): JsonWriter {
  const w = sharedWriter ?? new JsonWriter(256);
  sharedWriter = undefined;
  w.pos = 0;
  return w;
}

export function releaseJsonWriter(w: JsonWriter): void {
  // A writer that grew past 1 MB for one large value is not kept.
  if (w.buf.length <= 1 << 20) sharedWriter = w;
}
