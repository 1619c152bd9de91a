/**
 * What a producer's flush waits for: the records handed over before the flush was called, not the
 * ones sent while it waits. Waiting for an empty producer instead never ends under steady load (each
 * batch that lands makes room for the next), and every commit waits on a flush: a worker kept busy
 * committed no offset and moved no table write into its store until the load stopped.
 *
 * The producers send their records in order, one batch at a time, so "the first N records handed
 * over are settled" is a count.
 */
export class FlushMark {
  private handedOver = 0;
  private settled = 0;

  /** A record was handed to the producer. */
  added(): void {
    this.handedOver++;
  }

  /** The producer is done with the oldest `count` records (delivered or failed for good). */
  done(count: number): void {
    this.settled += count;
  }

  /** The mark of everything handed over so far. */
  now(): number {
    return this.handedOver;
  }

  /** Whether every record handed over before `mark` is settled. */
  reached(mark: number): boolean {
    return this.settled >= mark;
  }
}
