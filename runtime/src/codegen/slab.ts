/**
 * The output buffer of the compiled encoders (Avro and JSON): a slab written into from the end of
 * the previous output, each finished output handed out as a view of it, as Node's Buffer pool hands
 * out its 8 KB slab to `Buffer.allocUnsafe` (so an encode costs no allocation and no copy). An
 * output that outgrows the slab moves, with what it has written so far, to a new one.
 */

/**
 * Slab size of the shared writers: Node's Buffer pool size, so that a kept output pins no more
 * memory than a `Buffer.allocUnsafe` or `Buffer.from(string)` of the same size did (a store that
 * keeps one small value out of a slab keeps the slab).
 */
export const SLAB_BYTES = 8 * 1024;

export class Slab {
  buf: Buffer;
  pos = 0;
  /** Where the output being written starts: everything before it has been handed out. */
  private start = 0;

  constructor(private readonly slabBytes = SLAB_BYTES) {
    this.buf = Buffer.allocUnsafe(slabBytes);
  }

  /** Starts an output, 8-byte aligned as Node aligns pool slices (typed-array views of them stay legal). */
  begin(): void {
    if (this.buf.length > this.slabBytes) {
      // A slab grown for one large output is not kept: later small outputs would pin it.
      this.buf = Buffer.allocUnsafe(this.slabBytes);
      this.start = 0;
    }
    this.start = (this.start + 7) & ~7;
    this.pos = this.start;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.slabBytes, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  /** The output written since `begin`, as a view of the slab (never written again). */
  finish(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }
}
