/**
 * The UTF-8 output of the compiled JSON encoders (json-encoder.ts): JSON text written straight
 * into a slab, byte for byte what `Buffer.from(JSON.stringify(...), 'utf8')` gives. A text built
 * by concatenation is a rope of hundreds of pieces that Buffer.from must flatten and then encode;
 * writing the bytes as the encoder goes costs neither, and handing out the written part of the
 * slab (as Node's Buffer pool hands out its 8 KB slab) costs no copy.
 */
import { Slab } from './slab.js';

/** Node's unchecked UTF-8 write (what `Buffer#write` ends in, minus argument handling). */
interface Utf8Buffer {
  utf8Write(text: string, offset: number, length: number): number;
}
const fastUtf8 = typeof (Buffer.prototype as Partial<Utf8Buffer>).utf8Write === 'function';

/** Longer strings are quoted by JSON.stringify (native, cheaper than the loop from about this length). */
const SCAN_RUN = 40;

/** Digits of 10^k, for the digit count of an integer. */
const TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

export class JsonWriter extends Slab {
  /** One ASCII byte (a bracket, a comma, a colon). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Text the caller knows to be ASCII and JSON as it stands: number literals, base64, `null`. */
  ascii(text: string): void {
    const length = text.length;
    this.ensure(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Fixed bytes prepared at compile time (UTF-8 of a fragment too long to unroll). */
  bytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.ensure(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = bytes[i] as number;
    this.pos = pos;
  }

  /** Any well-formed text as UTF-8 (JSON.stringify output). */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.pos += fastUtf8 ? (this.buf as unknown as Utf8Buffer).utf8Write(text, this.pos, this.buf.length - this.pos) : this.buf.write(text, this.pos, 'utf8');
  }

  /** An integer as JSON.stringify writes it (`String(n)`): digit by digit below 2^30, no string made. */
  integer(n: number): void {
    if (!(n >= 0 && n < 1_073_741_824)) {
      this.ascii(String(n));
      return;
    }
    let digits = 1;
    while (digits < 10 && n >= (TEN[digits] as number)) digits++;
    this.ensure(digits);
    const buf = this.buf;
    let pos = this.pos + digits;
    this.pos = pos;
    let m = n;
    do {
      const q = (m / 10) | 0;
      buf[--pos] = 0x30 + m - q * 10;
      m = q;
    } while (m > 0);
  }

  /**
   * A string as JSON.stringify writes it. A short one of printable ASCII without a quote or
   * backslash (most strings) is copied as it is scanned; anything else (a long string, a character
   * to escape, any non-ASCII unit, so also every surrogate) is written as JSON.stringify writes it.
   */
  string(text: string): void {
    const length = text.length;
    if (length > SCAN_RUN) {
      this.text(JSON.stringify(text));
      return;
    }
    this.ensure(length + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = 0x22;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      // One unsigned compare for 0x20..0x7f, then the two characters JSON escapes in that range.
      if (c - 0x20 >>> 0 > 0x5f || c === 0x22 || c === 0x5c) {
        this.pos = start;
        this.text(JSON.stringify(text));
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }
}

/** One writer reused by every encode (encodes do not nest; a nested one, from a getter say, gets its own). */
const shared = new JsonWriter();
let sharedInUse = false;

export function takeJsonWriter(): JsonWriter {
  const w = sharedInUse ? new JsonWriter(256) : shared;
  sharedInUse = true;
  w.begin();
  return w;
}

export function releaseJsonWriter(w: JsonWriter): void {
  if (w === shared) sharedInUse = false;
}
