/**
 * Avro binary primitives for the compiled codecs (avro-encoder.ts, avro-decoder.ts): zig-zag
 * varints, IEEE floats, length-prefixed strings and bytes. The writer grows its buffer as needed; the
 * reader throws on anything it cannot read, and the codec then falls back to avsc, which reports
 * the problem as it always has.
 */

import { SHORT_READ, shortAscii } from './short-ascii.js';
import { Slab } from './slab.js';

/** avsc's long range: one less than Number.MAX_SAFE_INTEGER on both sides. */
const SAFE_LONG = 9_007_199_254_740_990;
const TWO_POW_28 = 268_435_456;
/** Largest |n| whose zig-zag value 2|n| (or 2|n| - 1) a double holds exactly. */
const FLOAT_EXACT = 2 ** 52 - 1;
const BIG_FLOAT_EXACT = BigInt(FLOAT_EXACT);
/** Strings up to this many UTF-16 units are encoded by hand: cheaper than a native call for short ones. */
const SHORT_STRING = 64;
/**
 * ASCII strings up to this many units are copied by hand: below it a loop costs less than
 * Buffer.byteLength plus utf8Write, two calls into C++; above it, less than the loop. Where the
 * line falls depends on the Node: those calls take ~60 ns on Node 22 (fast API calls) and ~140 ns
 * on Node 20 (measured per length, docs/benchmarks.md); the bytes are the same either way.
 */
const ASCII_RUN = Number(process.versions.node.split('.')[0]) >= 22 ? 16 : 48;

/** ES2024 (Node 20+); not in the project's ES2022 lib. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** Node's unchecked UTF-8 Buffer methods (what `toString` / `write` end in, minus argument handling); avsc uses them too. */
interface Utf8Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number, length: number): number;
}
const fastUtf8 = typeof (Buffer.prototype as Partial<Utf8Buffer>).utf8Slice === 'function' && typeof (Buffer.prototype as Partial<Utf8Buffer>).utf8Write === 'function';

export class AvroWriter extends Slab {
  writeByte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Zig-zag varint of an integer with |n| <= 2^53 (the caller has checked). */
  writeLong(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (n >= -1_073_741_824 && n < 1_073_741_824) {
      let m = n >= 0 ? n << 1 : (~n << 1) | 1;
      while (m > 0x7f) {
        buf[this.pos++] = (m & 0x7f) | 0x80;
        m >>>= 7;
      }
      buf[this.pos++] = m;
      return;
    }
    // Beyond 31 bits: float arithmetic, exact while the zig-zag value 2|n| stays below 2^53. (avsc
    // uses it up to 2^53 and so writes wrong bytes for longs below -2^52; exact bigints go further.)
    if (n < -FLOAT_EXACT || n > FLOAT_EXACT) return this.writeBigLong(BigInt(n));
    let f = n >= 0 ? n * 2 : -n * 2 - 1;
    while (f >= 128) {
      buf[this.pos++] = (f % 128) | 0x80;
      f = Math.floor(f / 128);
    }
    buf[this.pos++] = f;
  }

  /** Zig-zag varint of a signed 64-bit integer. */
  writeBigLong(n: bigint): void {
    if (n >= -BIG_FLOAT_EXACT && n <= BIG_FLOAT_EXACT) return this.writeLong(Number(n));
    this.ensure(10);
    let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
    while (z > 0x7fn) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }

  writeFloat(f: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(f, this.pos);
    this.pos += 4;
  }

  writeDouble(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /**
   * UTF-8 with a length prefix. Short strings are encoded unit by unit; avsc does the same up to
   * 64 bytes and writes a lone surrogate as its own three bytes there (Buffer writes U+FFFD), so both
   * write the same bytes for every string.
   */
  writeString(s: string): void {
    const length = s.length;
    if (length <= ASCII_RUN) {
      if (this.writeAscii(s, length)) return;
    } else if (length > SHORT_STRING || (s as unknown as WellFormed).isWellFormed()) {
      // Buffer's UTF-8 of a well-formed string is what the loop below writes (and what avsc writes).
      return this.writeLongString(s);
    }
    this.ensure(3 + length * 3);
    const buf = this.buf;
    const start = this.pos;
    // Guess a one-byte length (under 64 bytes, true of short ASCII); 64 units make at least 64 bytes.
    const wide = length === SHORT_STRING;
    let pos = start + (wide ? 2 : 1);
    let lone = false;
    for (let i = 0; i < length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[pos++] = c;
      } else if (c < 0x800) {
        buf[pos++] = (c >> 6) | 0xc0;
        buf[pos++] = (c & 0x3f) | 0x80;
      } else if ((c & 0xfc00) === 0xd800 && i + 1 < length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(++i) & 0x03ff);
        buf[pos++] = (c >> 18) | 0xf0;
        buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
        buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c & 0x3f) | 0x80;
      } else {
        if ((c & 0xf800) === 0xd800) lone = true;
        buf[pos++] = (c >> 12) | 0xe0;
        buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c & 0x3f) | 0x80;
      }
    }
    const bytes = pos - start - (wide ? 2 : 1);
    if (bytes > 64 && lone) {
      // avsc writes strings over 64 bytes through Buffer, which writes U+FFFD for a lone surrogate.
      this.pos = start;
      this.writeLongString(s);
    } else if (bytes < 64) {
      buf[start] = bytes << 1;
      this.pos = pos;
    } else {
      // Two length bytes: move the text up by one if only one was reserved (non-ASCII text).
      if (!wide) {
        buf.copyWithin(start + 2, start + 1, pos);
        pos++;
      }
      buf[start] = ((bytes << 1) & 0x7f) | 0x80;
      buf[start + 1] = bytes >> 6;
      this.pos = pos;
    }
  }

  /**
   * A short string of ASCII only (length < 64): one byte per unit after a one-byte length prefix.
   * False, with nothing written, at the first other unit.
   */
  private writeAscii(s: string, length: number): boolean {
    this.ensure(1 + length);
    const buf = this.buf;
    const start = this.pos;
    let pos = start + 1;
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[pos++] = c;
    }
    buf[start] = length << 1;
    this.pos = pos;
    return true;
  }

  private writeLongString(s: string): void {
    const bytes = Buffer.byteLength(s);
    this.writeLong(bytes);
    this.ensure(bytes);
    this.pos += fastUtf8 ? (this.buf as unknown as Utf8Buffer).utf8Write(s, this.pos, bytes) : this.buf.write(s, this.pos, bytes, 'utf8');
  }

  writeBytes(b: Buffer): void {
    this.writeLong(b.length);
    this.writeFixed(b);
  }

  writeFixed(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

}

/** Thrown by the reader for input it does not read; the codec then falls back to avsc. */
export class NotReadable extends Error {}

export class AvroReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) throw new NotReadable('truncated');
    this.pos = at + n;
    return at;
  }

  readByte(): number {
    return this.buf[this.need(1)] ?? 0;
  }

  /** A zig-zag varint as a number (inexact beyond 2^53, as avsc's; callers check when it matters). */
  readLong(): number {
    const buf = this.buf;
    const at = this.pos;
    // One-byte varints (small counts, indexes, short lengths) are most of them.
    if (at < buf.length) {
      const first = buf[at] as number;
      if (first < 0x80) {
        this.pos = at + 1;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    let n = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[this.need(1)] ?? 0;
      n |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 28);
    if ((b & 0x80) === 0) return (n >>> 1) ^ -(n & 1);
    let f = n >>> 0;
    let scale = TWO_POW_28;
    const start = this.pos - 4;
    do {
      if (scale > 2 ** 70) throw new NotReadable('varint too long');
      b = buf[this.need(1)] ?? 0;
      f += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    if (f <= Number.MAX_SAFE_INTEGER) return (f % 2 ? -(f + 1) : f) / 2;
    // A zig-zag value past 2^53 is rounded as a double (avsc reads longs below -2^52 wrong so): redo it exactly.
    let z = 0n;
    for (let i = start, shift = 0n; i < this.pos; i++, shift += 7n) z |= BigInt((buf[i] ?? 0) & 0x7f) << shift;
    return Number((z >> 1n) ^ -(z & 1n));
  }

  /** A long that must be exact: avsc refuses the others ("potential precision loss"), so do we. */
  readSafeLong(): number {
    const n = this.readLong();
    if (n < -SAFE_LONG || n > SAFE_LONG) throw new NotReadable('long beyond 2^53');
    return n;
  }

  readFloat(): number {
    return this.buf.readFloatLE(this.need(4));
  }

  readDouble(): number {
    return this.buf.readDoubleLE(this.need(8));
  }

  readString(): string {
    const length = this.readLong();
    const at = this.pos;
    if (length < 0 || at + length > this.buf.length) throw new NotReadable('truncated');
    this.pos = at + length;
    if (length <= SHORT_READ) {
      const ascii = shortAscii(this.buf, at, length);
      if (ascii !== undefined) return ascii;
    }
    return fastUtf8 ? (this.buf as unknown as Utf8Buffer).utf8Slice(at, at + length) : this.buf.toString('utf8', at, at + length);
  }

  /** A copy: models never alias the (possibly reused) input buffer. */
  readBytes(): Buffer {
    return this.readFixed(this.readLong());
  }

  readFixed(size: number): Buffer {
    const at = this.need(size);
    return Buffer.from(this.buf.subarray(at, at + size));
  }

  /** Bytes left: a block count above this cannot be honest. */
  remaining(): number {
    return this.buf.length - this.pos;
  }
}
