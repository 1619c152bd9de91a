/**
 * Tracks, for one partition, which delivered records are still being processed, and yields the offset
 * that is safe to commit: the first record not yet fully acked. A record delivered to several
 * subscribers (agents on one topic) counts as acked once every one of them acked it. Because the
 * commit point only moves over a contiguous prefix of acked records, concurrency > 1 never commits
 * past a slow record (Faust's fs#606).
 */
export class PartitionOffsetTracker {
  /** Set when the conductor drops this tracker: see EventAcker.retired. */
  retired = false;
  /** Pending reference counts of delivered records, in offset order; acked ones are dropped from the head. */
  private readonly offsets: number[] = [];
  private readonly refs: number[] = [];
  private head = 0;
  /** Offset after the last record seen, whether acked or not. */
  private nextOffset: number | undefined;
  private committed: number | undefined;
  /** Offset after records that were passed without a delivery (see passEmpty). */
  private skipTo: number | undefined;

  /** Registers a record delivered to `subscribers` consumers (0 acks it at once). */
  add(offset: number, subscribers: number): void {
    this.offsets.push(offset);
    this.refs.push(subscribers);
    this.nextOffset = offset + 1;
    if (this.skipTo !== undefined && this.skipTo <= this.nextOffset) this.skipTo = undefined;
    if (subscribers === 0) this.advance();
  }

  ack(offset: number): void {
    const index = this.indexOf(offset);
    if (index < 0) return;
    const refs = this.refs[index] ?? 0;
    if (refs <= 0) return;
    this.refs[index] = refs - 1;
    if (index === this.head) this.advance();
  }

  /** Offset to commit (the next to read), or undefined when nothing new since the last commit. */
  committable(): number | undefined {
    const candidate = this.head < this.offsets.length ? this.offsets[this.head] : this.end();
    if (candidate === undefined || candidate === this.committed) return undefined;
    return candidate;
  }

  markCommitted(offset: number): void {
    this.committed = offset;
  }

  lastCommitted(): number | undefined {
    return this.committed;
  }

  /** Records delivered and not yet fully acked. */
  pending(): number {
    let count = 0;
    for (let i = this.head; i < this.refs.length; i++) if ((this.refs[i] ?? 0) > 0) count++;
    return count;
  }

  /** Offset of the first record not yet fully acked, or undefined when all are. */
  firstPending(): number | undefined {
    return this.head < this.offsets.length ? this.offsets[this.head] : undefined;
  }

  /** Position after the last record delivered (or passed without one). */
  position(): number | undefined {
    return this.end();
  }

  private end(): number | undefined {
    if (this.skipTo !== undefined && (this.nextOffset === undefined || this.skipTo > this.nextOffset)) return this.skipTo;
    return this.nextOffset;
  }

  /**
   * Offsets `from`..`to` held nothing to deliver (transaction markers, aborted records) and follow on
   * directly from what was delivered: once every record before them is acked, the position (and so
   * the commit point) is past them.
   */
  passEmpty(from: number, to: number): void {
    if (this.nextOffset !== undefined && (from > this.nextOffset || to < this.nextOffset)) return;
    this.skipTo = Math.max(this.skipTo ?? 0, to + 1);
  }

  /** Forgets records from `offset` on (dropped before processing): they will be delivered again. */
  truncateFrom(offset: number): void {
    let cut = this.offsets.length;
    while (cut > this.head && (this.offsets[cut - 1] ?? 0) >= offset) cut--;
    this.offsets.length = cut;
    this.refs.length = cut;
    if (this.nextOffset !== undefined && this.nextOffset > offset) this.nextOffset = offset;
    if (this.skipTo !== undefined && this.skipTo > offset) this.skipTo = undefined;
  }

  private advance(): void {
    while (this.head < this.refs.length && (this.refs[this.head] ?? 0) <= 0) this.head++;
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.refs.splice(0, this.head);
      this.head = 0;
    }
  }

  private indexOf(offset: number): number {
    // Offsets are increasing but may have gaps (compaction, transactions): binary search.
    let lo = this.head;
    let hi = this.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.offsets[mid] ?? 0;
      if (value === offset) return mid;
      if (value < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
